DROP INDEX countries_search_idx, action_plans_search_idx, commitments_search_idx,
    milestones_search_idx, irm_findings_search_idx,
    countries_name_idx, countries_region_idx, countries_member_since_idx,
    countries_membership_status_idx, countries_updated_at_idx,
    action_plans_number_idx, action_plans_title_idx, action_plans_start_year_idx,
    action_plans_end_year_idx, action_plans_status_idx, action_plans_submitted_on_idx,
    action_plans_public_influence_idx, action_plans_multistakeholder_forum_idx,
    action_plans_updated_at_idx,
    commitments_number_idx, commitments_title_idx, commitments_theme_idx,
    commitments_lead_institution_idx, commitments_ogp_values_idx, commitments_start_date_idx,
    commitments_end_date_idx, commitments_updated_at_idx,
    milestones_position_idx, milestones_title_idx, milestones_due_date_idx, milestones_status_idx,
    milestones_completed_on_idx, milestones_updated_at_idx,
    irm_findings_report_idx, irm_findings_kind_idx, irm_findings_title_idx,
    irm_findings_position_idx, irm_findings_published_on_idx, irm_findings_specificity_idx,
    irm_findings_relevance_idx, irm_findings_potential_impact_idx,
    irm_findings_potential_for_results_idx, irm_findings_completion_idx,
    irm_findings_did_it_open_government_idx, irm_findings_well_designed_idx,
    irm_findings_starred_idx, irm_findings_no_public_engagement_idx,
    irm_findings_irm_not_engaged_idx, irm_findings_no_progress_idx,
    irm_findings_acted_contrary_idx, irm_findings_updated_at_idx;
DROP FUNCTION ogp_search_query(text);
DROP FUNCTION ogp_document(text[]);
DROP FUNCTION ogp_unaccent(text);
DROP EXTENSION unaccent;
