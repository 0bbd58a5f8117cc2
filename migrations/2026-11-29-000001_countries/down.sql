DROP TABLE countries;
DROP FUNCTION countries_code_immutable();
