DROP INDEX irm_findings_natural_key;
