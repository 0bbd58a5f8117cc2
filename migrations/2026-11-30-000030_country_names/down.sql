ALTER TABLE countries DROP COLUMN name_es, DROP COLUMN name_fr;
