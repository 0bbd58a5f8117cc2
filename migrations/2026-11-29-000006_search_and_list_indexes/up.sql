-- Full-text search and the indexes behind every list filter and sort.

-- OGP data is multilingual: documents and queries are stemmed as English and as Spanish, with
-- accents folded, so "participación" finds "participacion" and "commitments" finds "commitment".
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes this
-- wrapper safe to declare IMMUTABLE, which expression indexes require.
CREATE FUNCTION ogp_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT public.unaccent('public.unaccent'::regdictionary, $1)
$$;

-- The search document of a row: its texts (NULLs skipped), in both languages.
CREATE FUNCTION ogp_document(VARIADIC parts text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('english', folded) || to_tsvector('spanish', folded)
    FROM (SELECT coalesce(ogp_unaccent(array_to_string(parts, ' ')), '') AS folded) AS document
$$;

-- A user's search (web-search syntax: words, "phrases", OR, -exclusions) in both languages.
CREATE FUNCTION ogp_search_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT websearch_to_tsquery('english', ogp_unaccent(q))
        || websearch_to_tsquery('spanish', ogp_unaccent(q))
$$;

CREATE INDEX countries_search_idx ON countries USING gin (ogp_document(name));
CREATE INDEX action_plans_search_idx ON action_plans USING gin (ogp_document(title));
CREATE INDEX commitments_search_idx ON commitments
    USING gin (ogp_document(title, description, theme, lead_institution));
CREATE INDEX milestones_search_idx ON milestones USING gin (ogp_document(title, description));
CREATE INDEX irm_findings_search_idx ON irm_findings USING gin (ogp_document(title, body));

-- One (column, key) b-tree per filter and sort: it answers `col = ANY(…)` and ranges, and
-- walks `ORDER BY col, key` for keyset pages in either direction.
CREATE INDEX countries_name_idx ON countries (name, code);
CREATE INDEX countries_region_idx ON countries (region, code);
CREATE INDEX countries_member_since_idx ON countries (member_since, code);
CREATE INDEX countries_membership_status_idx ON countries (membership_status, code);
CREATE INDEX countries_updated_at_idx ON countries (updated_at);

CREATE INDEX action_plans_number_idx ON action_plans (number, id);
CREATE INDEX action_plans_title_idx ON action_plans (title, id);
CREATE INDEX action_plans_start_year_idx ON action_plans (start_year, id);
CREATE INDEX action_plans_end_year_idx ON action_plans (end_year, id);
CREATE INDEX action_plans_status_idx ON action_plans (status, id);
CREATE INDEX action_plans_submitted_on_idx ON action_plans (submitted_on, id);
CREATE INDEX action_plans_public_influence_idx ON action_plans (public_influence, id);
CREATE INDEX action_plans_multistakeholder_forum_idx ON action_plans (multistakeholder_forum, id);
CREATE INDEX action_plans_updated_at_idx ON action_plans (updated_at);

CREATE INDEX commitments_number_idx ON commitments (number, id);
CREATE INDEX commitments_title_idx ON commitments (title, id);
CREATE INDEX commitments_theme_idx ON commitments (theme, id);
CREATE INDEX commitments_lead_institution_idx ON commitments (lead_institution, id);
CREATE INDEX commitments_ogp_values_idx ON commitments USING gin (ogp_values);
CREATE INDEX commitments_start_date_idx ON commitments (start_date, id);
CREATE INDEX commitments_end_date_idx ON commitments (end_date, id);
CREATE INDEX commitments_updated_at_idx ON commitments (updated_at);

CREATE INDEX milestones_position_idx ON milestones (position, id);
CREATE INDEX milestones_title_idx ON milestones (title, id);
CREATE INDEX milestones_due_date_idx ON milestones (due_date, id);
CREATE INDEX milestones_status_idx ON milestones (status, id);
CREATE INDEX milestones_completed_on_idx ON milestones (completed_on, id);
CREATE INDEX milestones_updated_at_idx ON milestones (updated_at);

CREATE INDEX irm_findings_report_idx ON irm_findings (report, id);
CREATE INDEX irm_findings_kind_idx ON irm_findings (kind, id);
CREATE INDEX irm_findings_title_idx ON irm_findings (title, id);
CREATE INDEX irm_findings_position_idx ON irm_findings (position, id);
CREATE INDEX irm_findings_published_on_idx ON irm_findings (published_on, id);
CREATE INDEX irm_findings_specificity_idx ON irm_findings (specificity, id);
CREATE INDEX irm_findings_relevance_idx ON irm_findings USING gin (relevance);
CREATE INDEX irm_findings_potential_impact_idx ON irm_findings (potential_impact, id);
CREATE INDEX irm_findings_potential_for_results_idx ON irm_findings (potential_for_results, id);
CREATE INDEX irm_findings_completion_idx ON irm_findings (completion, id);
CREATE INDEX irm_findings_did_it_open_government_idx ON irm_findings (did_it_open_government, id);
CREATE INDEX irm_findings_well_designed_idx ON irm_findings (well_designed, id);
CREATE INDEX irm_findings_starred_idx ON irm_findings (starred, id);
CREATE INDEX irm_findings_no_public_engagement_idx ON irm_findings (no_public_engagement, id);
CREATE INDEX irm_findings_irm_not_engaged_idx ON irm_findings (irm_not_engaged, id);
CREATE INDEX irm_findings_no_progress_idx ON irm_findings (no_progress_on_any_commitment, id);
CREATE INDEX irm_findings_acted_contrary_idx ON irm_findings (acted_contrary_to_process, id);
CREATE INDEX irm_findings_updated_at_idx ON irm_findings (updated_at);
