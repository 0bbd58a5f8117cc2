DROP TABLE idempotency_keys;
DROP TRIGGER countries_log ON countries;
DROP TRIGGER action_plans_log ON action_plans;
DROP TRIGGER commitments_log ON commitments;
DROP TRIGGER milestones_log ON milestones;
DROP TRIGGER irm_findings_log ON irm_findings;
DROP FUNCTION ogp_log_change();
DROP TABLE changes;
DROP TABLE api_keys;
