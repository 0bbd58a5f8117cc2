-- A country's short name in Spanish and French next to its English `name` (issue 15). Both are
-- nullable: a name is given only when known, never guessed. The names below are the Unicode
-- CLDR's display names (es, fr; docs/vocabularies.md says why CLDR and not ISO 3166's French
-- list, whose short names carry the article: "Mexique (le)").
ALTER TABLE countries
    ADD COLUMN name_es text
        CONSTRAINT countries_name_es_check CHECK (char_length(name_es) BETWEEN 1 AND 200),
    ADD COLUMN name_fr text
        CONSTRAINT countries_name_fr_check CHECK (char_length(name_fr) BETWEEN 1 AND 200);

-- Countries already stored (the demo data's, and OGP members an operator loaded) get their
-- names; a row whose names are set already is left alone.
UPDATE countries c
SET name_es = n.name_es, name_fr = n.name_fr
FROM (VALUES
    ('ARG', 'Argentina', 'Argentine'),
    ('ARM', 'Armenia', 'Arménie'),
    ('AUS', 'Australia', 'Australie'),
    ('BRA', 'Brasil', 'Brésil'),
    ('CAN', 'Canadá', 'Canada'),
    ('CHL', 'Chile', 'Chili'),
    ('COL', 'Colombia', 'Colombie'),
    ('CRI', 'Costa Rica', 'Costa Rica'),
    ('CIV', 'Côte d’Ivoire', 'Côte d’Ivoire'),
    ('DEU', 'Alemania', 'Allemagne'),
    ('DOM', 'República Dominicana', 'République dominicaine'),
    ('ECU', 'Ecuador', 'Équateur'),
    ('ESP', 'España', 'Espagne'),
    ('FRA', 'Francia', 'France'),
    ('GBR', 'Reino Unido', 'Royaume-Uni'),
    ('GHA', 'Ghana', 'Ghana'),
    ('GTM', 'Guatemala', 'Guatemala'),
    ('HND', 'Honduras', 'Honduras'),
    ('IDN', 'Indonesia', 'Indonésie'),
    ('IRL', 'Irlanda', 'Irlande'),
    ('ITA', 'Italia', 'Italie'),
    ('KEN', 'Kenia', 'Kenya'),
    ('MAR', 'Marruecos', 'Maroc'),
    ('MEX', 'México', 'Mexique'),
    ('NGA', 'Nigeria', 'Nigeria'),
    ('PAN', 'Panamá', 'Panama'),
    ('PER', 'Perú', 'Pérou'),
    ('PHL', 'Filipinas', 'Philippines'),
    ('PRY', 'Paraguay', 'Paraguay'),
    ('SEN', 'Senegal', 'Sénégal'),
    ('SLV', 'El Salvador', 'Salvador'),
    ('TUN', 'Túnez', 'Tunisie'),
    ('UKR', 'Ucrania', 'Ukraine'),
    ('URY', 'Uruguay', 'Uruguay'),
    ('USA', 'Estados Unidos', 'États-Unis'),
    ('ZAF', 'Sudáfrica', 'Afrique du Sud')
) AS n (code, name_es, name_fr)
WHERE c.code = n.code AND c.name_es IS NULL AND c.name_fr IS NULL;
