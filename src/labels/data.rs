//! The labels themselves; docs/vocabularies.md says how each source was found and judged.
//! `ogp(…)` only where OGP or its IRM published that wording in a human-written text,
//! `machine(…)` where only a machine-translated OGP page has it, `project(…)` otherwise.

use super::{Definition, Labelled, Source, ValueLabels, Wording};
use crate::vocab::{
    Completion, DidItOpenGovernment, EarlyResults, FindingKind, GroupBy, LocalMemberKind,
    MembershipStatus, MilestoneStatus, OgpValue, PlanLevel, PlanStatus, PotentialForResults,
    PotentialImpact, PublicInfluence, Region, Report, Specificity, VerdictBasis,
};

// Where OGP published the wordings used below.
const LOCAL_MEMBERS: &str =
    "https://www.opengovpartnership.org/ogp-local/about-ogp-local-program/ogp-local-members/";
const FR_EUROPE: &str = "https://www.opengovpartnership.org/fr/region/europe/page/4/";
const STAR_RULE: &str = "https://opengovpartnership.org/?p=3699";
const VERIFIABILITY: &str = "https://opengovpartnership.org/glossary/verifiability";
const AMBITION: &str = "https://www.opengovpartnership.org/glossary/ambition/";
const COMPLETION: &str = "https://www.opengovpartnership.org/glossary/completion/";
const EARLY_RESULTS: &str = "https://www.opengovpartnership.org/glossary/early-results/";
const IRM: &str =
    "https://www.opengovpartnership.org/glossary/independent-reporting-mechanism-irm/";
const APR: &str = "https://www.opengovpartnership.org/documents/independent-reporting-mechanism-action-plan-review/";
const ES_SPAIN_ES0029: &str =
    "https://www.opengovpartnership.org/es/members/spain/commitments/ES0029/";
const ES_ITALY_IT0060: &str =
    "https://www.opengovpartnership.org/es/es/members/italy/commitments/IT0060/";
const ES_END_OF_COMMITMENT: &str = "https://www.opengovpartnership.org/es/documents/end-of-commitment-report-establishment-of-an-integrity-system/";
const FR_COTE_DIVOIRE: &str =
    "https://www.opengovpartnership.org/fr/documents/cote-divoire-hybrid-report-2018-2020/";
const ES_SPAIN_PROGRESS: &str = "https://pdfslide.net/documents/mecanismo-de-revisin-independiente-mri-espaa-the-most-important-achievement.html";
const ES_MEXICO_DESIGN: &str = "https://www.opengovpartnership.org/es/documents/mexico-design-report-2019-2021-for-public-comment/";
const ES_CHILE_TRR_PDF: &str =
    "https://fdocuments.ec/document/mecanismo-de-revisin-independiente-irm-chile-informe-.html";
const ES_CHILE_TRR: &str = "https://www.opengovpartnership.org/?p=59756";

const fn ogp(text: &'static str, url: &'static str) -> Wording {
    Wording {
        text,
        source: Source::Ogp(url),
    }
}

const fn machine(text: &'static str, url: &'static str) -> Wording {
    Wording {
        text,
        source: Source::Machine(url),
    }
}

const fn project(text: &'static str) -> Wording {
    Wording {
        text,
        source: Source::Project,
    }
}

const fn quoted(text: &'static str, url: &'static str) -> Definition {
    Definition::Quoted(ogp(text, url))
}

const fn v(en: Wording, es: Wording, fr: Wording, definition: Definition) -> ValueLabels {
    ValueLabels {
        en,
        es,
        fr,
        definition,
    }
}

/// No OGP definition: the API's own description is the only one.
const API_ONLY: Definition =
    Definition::Missing("OGP defines no such value; the API's own `description` applies");
const NO_GLOSSARY: Definition = Definition::Missing(
    "the IRM glossary has no entry for this level; the API's own `description` applies",
);

macro_rules! labelled {
    ($name:ident, |$value:ident| $body:expr) => {
        impl Labelled for $name {
            fn all() -> &'static [Self] {
                $name::ALL
            }
            fn wire(self) -> &'static str {
                self.as_str()
            }
            fn labels(self) -> ValueLabels {
                #[allow(unused_imports)]
                use $name::*;
                let $value = self;
                $body
            }
        }
    };
}

labelled!(Region, |value| match value {
    AfricaMiddleEast => v(
        ogp("Africa & Middle East", LOCAL_MEMBERS),
        project("África y Oriente Medio"),
        project("Afrique et Moyen-Orient"),
        API_ONLY
    ),
    Americas => v(
        ogp("Americas", LOCAL_MEMBERS),
        project("Américas"),
        project("Amériques"),
        API_ONLY
    ),
    AsiaPacific => v(
        ogp("Asia Pacific", LOCAL_MEMBERS),
        project("Asia-Pacífico"),
        project("Asie-Pacifique"),
        API_ONLY
    ),
    Europe => v(
        ogp("Europe", LOCAL_MEMBERS),
        project("Europa"),
        machine("Europe", FR_EUROPE),
        API_ONLY
    ),
});

labelled!(MembershipStatus, |value| match value {
    Active => v(
        project("Active"),
        project("Activo"),
        project("Actif"),
        API_ONLY
    ),
    Inactive => v(
        project("Inactive"),
        project("Inactivo"),
        project("Inactif"),
        API_ONLY
    ),
    UnderReview => v(
        project("Under review"),
        project("En revisión"),
        project("En cours d'examen"),
        API_ONLY
    ),
    Withdrawn => v(
        project("Withdrawn"),
        project("Retirado"),
        project("Retiré"),
        API_ONLY
    ),
});

// OGP Local's kinds of member and a plan's level: OGP published no wording of these values
// (the Handbook names the programme "OGP Local" / "PGO local"), so every label is the project's.
labelled!(LocalMemberKind, |value| match value {
    Municipality => v(
        project("Municipality"),
        project("Municipio"),
        project("Municipalité"),
        API_ONLY
    ),
    StateOrProvince => v(
        project("State or province"),
        project("Estado o provincia"),
        project("État ou province"),
        API_ONLY
    ),
    Region => v(
        project("Region"),
        project("Región"),
        project("Région"),
        API_ONLY
    ),
    Other => v(
        project("Other"),
        project("Otro"),
        project("Autre"),
        API_ONLY
    ),
});

labelled!(PlanLevel, |value| match value {
    National => v(
        project("National"),
        project("Nacional"),
        project("National"),
        API_ONLY
    ),
    Local => v(
        project("Local"),
        project("Local"),
        project("Local"),
        API_ONLY
    ),
});

labelled!(PlanStatus, |value| match value {
    Draft => v(
        project("Draft"),
        project("Borrador"),
        project("Brouillon"),
        API_ONLY
    ),
    Submitted => v(
        project("Submitted"),
        project("Presentado"),
        project("Soumis"),
        API_ONLY
    ),
    Implementing => v(
        project("Implementing"),
        project("En implementación"),
        project("En cours de mise en œuvre"),
        API_ONLY
    ),
    Completed => v(
        project("Completed"),
        project("Finalizado"),
        project("Terminé"),
        API_ONLY
    ),
});

labelled!(PublicInfluence, |value| match value {
    NoConsultation => v(
        project("No consultation"),
        project("Sin consulta"),
        project("Pas de consultation"),
        API_ONLY
    ),
    Inform => v(
        project("Inform"),
        project("Informar"),
        project("Informer"),
        API_ONLY
    ),
    Consult => v(
        project("Consult"),
        project("Consultar"),
        project("Consulter"),
        API_ONLY
    ),
    Involve => v(
        project("Involve"),
        project("Involucrar"),
        project("Impliquer"),
        API_ONLY
    ),
    Collaborate => v(
        project("Collaborate"),
        project("Colaborar"),
        machine("Collaborer", FR_COTE_DIVOIRE),
        API_ONLY
    ),
    Empower => v(
        project("Empower"),
        project("Empoderar"),
        project("Habiliter"),
        API_ONLY
    ),
});

/// The relevance glossary names the values but defines none of them one by one.
const VALUE_NOT_DEFINED: Definition = Definition::Missing(
    "the IRM glossary's relevance entry (https://www.opengovpartnership.org/glossary/relevance/) \
     names the OGP values without defining each",
);

labelled!(OgpValue, |value| match value {
    AccessToInformation => v(
        ogp("Access to Information", STAR_RULE),
        project("Acceso a la información"),
        project("Accès à l'information"),
        VALUE_NOT_DEFINED
    ),
    CivicParticipation => v(
        ogp("Civic Participation", STAR_RULE),
        project("Participación cívica"),
        project("Participation civique"),
        VALUE_NOT_DEFINED
    ),
    PublicAccountability => v(
        ogp("Public Accountability", STAR_RULE),
        project("Rendición de cuentas pública"),
        project("Redevabilité publique"),
        VALUE_NOT_DEFINED
    ),
    TechnologyAndInnovation => v(
        ogp(
            "Technology & Innovation for Transparency and Accountability",
            STAR_RULE
        ),
        project("Tecnología e innovación para la transparencia y la rendición de cuentas"),
        project("Technologie et innovation pour la transparence et la redevabilité"),
        Definition::Missing(
            "the IRM glossary (https://www.opengovpartnership.org/glossary/relevance/) treats \
             technology and innovation as achieved in addition to one of the three values, \
             without defining it",
        )
    ),
});

labelled!(MilestoneStatus, |value| match value {
    NotStarted => v(
        project("Not started"),
        project("No iniciado"),
        project("Non commencé"),
        API_ONLY
    ),
    InProgress => v(
        project("In progress"),
        project("En curso"),
        project("En cours"),
        API_ONLY
    ),
    Completed => v(
        project("Completed"),
        project("Completado"),
        project("Terminé"),
        API_ONLY
    ),
});

labelled!(Report, |value| match value {
    ProgressReport => v(
        project("Progress Report"),
        ogp("Informe de avance", ES_SPAIN_PROGRESS),
        project("Rapport d'avancement"),
        NO_GLOSSARY
    ),
    MidTermReport => v(
        project("Mid-Term Report"),
        project("Informe de medio término"),
        project("Rapport à mi-parcours"),
        NO_GLOSSARY
    ),
    EndOfTermReport => v(
        project("End-of-Term Report"),
        project("Informe de fin de término"),
        project("Rapport de fin de mandat"),
        NO_GLOSSARY
    ),
    DesignReport => v(
        project("Design Report"),
        ogp("Informe de diseño", ES_MEXICO_DESIGN),
        project("Rapport de conception"),
        NO_GLOSSARY
    ),
    ImplementationReport => v(
        project("Implementation Report"),
        machine("Informe de Implementación", ES_SPAIN_ES0029),
        project("Rapport de mise en œuvre"),
        NO_GLOSSARY
    ),
    TransitionalResultsReport => v(
        project("Transitional Results Report"),
        ogp("Informe de resultados de transición", ES_CHILE_TRR_PDF),
        project("Rapport de résultats transitoire"),
        NO_GLOSSARY
    ),
    CoCreationBrief => v(
        ogp("Co-Creation Brief", IRM),
        project("Resumen de co-creación"),
        project("Note de co-création"),
        NO_GLOSSARY
    ),
    ActionPlanReview => v(
        ogp("Action Plan Review", IRM),
        project("Revisión del plan de acción"),
        machine("Examen du Plan d'action", FR_EUROPE),
        quoted(
            "an independent, concise, technical review of the characteristics of the action \
             plan … to identify promising commitments",
            APR
        )
    ),
    ResultsReport => v(
        ogp("Results Report", IRM),
        ogp("Informe de resultados", ES_CHILE_TRR),
        machine("Rapport sur les résultats", FR_EUROPE),
        NO_GLOSSARY
    ),
});

labelled!(FindingKind, |value| match value {
    Assessment => v(
        project("Assessment"),
        project("Evaluación"),
        project("Évaluation"),
        API_ONLY
    ),
    Process => v(
        project("Process"),
        project("Proceso"),
        project("Processus"),
        API_ONLY
    ),
    Performance => v(
        project("Performance"),
        project("Desempeño"),
        project("Performance"),
        API_ONLY
    ),
    Recommendation => v(
        project("Recommendation"),
        project("Recomendación"),
        project("Recommandation"),
        API_ONLY
    ),
    Summary => v(
        project("Summary"),
        project("Resumen"),
        project("Résumé"),
        API_ONLY
    ),
});

labelled!(Specificity, |value| match value {
    None => v(
        project("None"),
        project("Ninguna"),
        project("Aucune"),
        NO_GLOSSARY
    ),
    Low => v(
        project("Low"),
        project("Baja"),
        project("Faible"),
        NO_GLOSSARY
    ),
    Medium => v(
        ogp("Medium", VERIFIABILITY),
        project("Media"),
        project("Moyenne"),
        NO_GLOSSARY
    ),
    High => v(
        ogp("High", VERIFIABILITY),
        project("Alta"),
        project("Élevée"),
        NO_GLOSSARY
    ),
});

labelled!(PotentialImpact, |value| match value {
    None => v(
        project("None"),
        project("Ninguno"),
        project("Aucun"),
        NO_GLOSSARY
    ),
    Minor => v(
        project("Minor"),
        project("Menor"),
        project("Mineur"),
        NO_GLOSSARY
    ),
    Moderate => v(
        ogp("Moderate", STAR_RULE),
        project("Moderado"),
        project("Modéré"),
        NO_GLOSSARY
    ),
    Transformative => v(
        ogp("Transformative", STAR_RULE),
        project("Transformador"),
        project("Transformateur"),
        NO_GLOSSARY
    ),
});

labelled!(PotentialForResults, |value| match value {
    Unclear => v(
        ogp("Unclear", AMBITION),
        project("Poco claro"),
        project("Peu clair"),
        quoted(
            "The commitment is aimed at continuing ongoing practices …",
            AMBITION
        )
    ),
    Modest => v(
        ogp("Modest", AMBITION),
        project("Modesto"),
        project("Modeste"),
        quoted(
            "An initiative or change to process, practice or policies that is positive but \
             standalone …",
            AMBITION
        )
    ),
    Substantial => v(
        ogp("Substantial", AMBITION),
        project("Sustancial"),
        project("Substantiel"),
        quoted(
            "A possible game changer to the rules of the game …",
            AMBITION
        )
    ),
});

/// The completion glossary names the five levels without defining each.
const LEVEL_NOT_DEFINED: Definition = Definition::Missing(
    "the IRM glossary's completion entry (https://www.opengovpartnership.org/glossary/completion/) \
     names the five levels without defining each",
);

labelled!(Completion, |value| match value {
    NoEvidence => v(
        ogp("No Evidence Available", COMPLETION),
        project("Sin evidencia disponible"),
        project("Aucune preuve disponible"),
        LEVEL_NOT_DEFINED
    ),
    NotStarted => v(
        ogp("Not Started", COMPLETION),
        project("No iniciado"),
        project("Non commencé"),
        LEVEL_NOT_DEFINED
    ),
    Limited => v(
        ogp("Limited", COMPLETION),
        project("Limitado"),
        project("Limité"),
        LEVEL_NOT_DEFINED
    ),
    Substantial => v(
        ogp("Substantial", COMPLETION),
        machine("Sustancial", ES_END_OF_COMMITMENT),
        project("Substantiel"),
        LEVEL_NOT_DEFINED
    ),
    Complete => v(
        ogp("Complete", COMPLETION),
        project("Completo"),
        project("Achevé"),
        LEVEL_NOT_DEFINED
    ),
});

labelled!(DidItOpenGovernment, |value| match value {
    Worsened => v(
        ogp("Worsened", EARLY_RESULTS),
        project("Empeoró"),
        project("S'est dégradé"),
        quoted(
            "Government openness worsened as a result of the commitment.",
            EARLY_RESULTS
        )
    ),
    DidNotChange => v(
        ogp("Did not change", EARLY_RESULTS),
        project("No cambió"),
        project("N'a pas changé"),
        quoted("No changes in government practice.", EARLY_RESULTS)
    ),
    Marginal => v(
        ogp("Marginal", EARLY_RESULTS),
        project("Marginal"),
        project("Marginal"),
        quoted(
            "Some change, but minor in terms of its effect on level of openness.",
            EARLY_RESULTS
        )
    ),
    Major => v(
        ogp("Major", EARLY_RESULTS),
        machine("Mayor", ES_ITALY_IT0060),
        project("Majeur"),
        quoted(
            "A step forward for government openness in the relevant policy area, but remains \
             limited in scope or scale.",
            EARLY_RESULTS
        )
    ),
    Outstanding => v(
        ogp("Outstanding", EARLY_RESULTS),
        project("Sobresaliente"),
        project("Exceptionnel"),
        quoted(
            "A reform that has transformed “business as usual” in the relevant policy area by \
             opening government.",
            EARLY_RESULTS
        )
    ),
});

/// The stored copy of the early-results glossary entry stops before the 2021 indicator's levels.
const EARLY_LEVEL: Definition = Definition::Missing(
    "the IRM glossary's early-results entry (https://www.opengovpartnership.org/glossary/early-results/) \
     defines early results as a whole; its levels' definitions could not be read",
);

labelled!(EarlyResults, |value| match value {
    Moderate => v(
        project("Moderate"),
        project("Moderados"),
        project("Modérés"),
        EARLY_LEVEL
    ),
    Significant => v(
        project("Significant"),
        project("Significativos"),
        project("Significatifs"),
        EARLY_LEVEL
    ),
    Outstanding => v(
        project("Outstanding"),
        project("Sobresalientes"),
        project("Exceptionnels"),
        EARLY_LEVEL
    ),
});

labelled!(VerdictBasis, |value| match value {
    Published => v(
        project("Published"),
        project("Publicado"),
        project("Publié"),
        API_ONLY
    ),
    Derived => v(
        project("Derived"),
        project("Derivado"),
        project("Dérivé"),
        API_ONLY
    ),
    NotApplicable => v(
        project("Not applicable"),
        project("No aplica"),
        project("Sans objet"),
        API_ONLY
    ),
});

labelled!(GroupBy, |value| match value {
    Country => v(
        project("Country"),
        project("País"),
        project("Pays"),
        API_ONLY
    ),
    ActionPlan => v(
        project("Action plan"),
        project("Plan de acción"),
        project("Plan d'action"),
        API_ONLY
    ),
    Theme => v(
        project("Theme"),
        project("Tema"),
        project("Thème"),
        API_ONLY
    ),
    Report => v(
        project("Report"),
        project("Informe"),
        project("Rapport"),
        API_ONLY
    ),
    Era => v(
        project("Era"),
        project("Etapa"),
        project("Période"),
        API_ONLY
    ),
    LocalMember => v(
        project("OGP Local member"),
        project("Miembro de OGP Local"),
        project("Membre du PGO local"),
        API_ONLY
    ),
    Level => v(
        project("Level"),
        project("Nivel"),
        project("Niveau"),
        API_ONLY
    ),
});

#[cfg(test)]
mod tests {
    use super::super::registry::vocabularies;
    use super::super::Source;

    #[test]
    fn every_label_is_filled_and_every_found_wording_has_a_url() {
        for vocabulary in vocabularies() {
            for value in vocabulary.values() {
                let l = value.labels;
                for wording in [l.en, l.es, l.fr] {
                    assert!(!wording.text.trim().is_empty(), "{}", value.value);
                    if let Source::Ogp(url) | Source::Machine(url) = wording.source {
                        assert!(url.starts_with("https://"), "{url}");
                    }
                }
            }
        }
    }
}
