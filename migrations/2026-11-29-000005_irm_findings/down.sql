DROP TABLE irm_findings;
DROP FUNCTION ogp_derive_well_designed(text, text[], text);
