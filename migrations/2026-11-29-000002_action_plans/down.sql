DROP TABLE action_plans;
