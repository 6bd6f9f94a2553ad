/*
 * gen_tables.c - the name and place tables of the synthetic generator.
 *
 * Written for this project from general knowledge of French naming (no
 * list copied): surnames roughly in decreasing order of frequency, so that
 * a Zipf-like weight by rank gives MARTIN far more often than HAMON;
 * forenames by sex and by birth era, each era's list also in decreasing
 * order. Everything is upper case with its accents, as a civil-status
 * register writes it; sources that strip accents or use title case do so
 * when the record is written.
 */
#include "gen_tables.h"

const char *const gen_surnames[] = {
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND",
    "DUBOIS", "MOREAU", "LAURENT", "SIMON", "MICHEL", "LEFÈVRE", "LEROY",
    "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD", "BONNET",
    "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER",
    "LEFEBVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER",
    "GARNIER", "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA",
    "PERRIN", "ROBIN", "CLÉMENT", "MORIN", "NICOLAS", "HENRY", "ROUSSEL",
    "MATHIEU", "GAUTIER", "MASSON", "MARCHAND", "DUVAL", "DENIS", "DUMONT",
    "MARIE", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER", "BRUN",
    "BLANCHARD", "GIRAUD", "JOLY", "RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD",
    "BARBIER", "ARNAUD", "MARTINEZ", "GÉRARD", "ROCHE", "RENARD", "SCHMITT",
    "ROY", "LEROUX", "COLIN", "VIDAL", "CARON", "PICARD", "ROGER", "FABRE",
    "AUBERT", "LEMOINE", "RENAUD", "DUMAS", "LACROIX", "OLIVIER", "PHILIPPE",
    "BOURGEOIS", "PIERRE", "BENOÎT", "REY", "LECLERC", "PAYET", "ROLLAND",
    "LECLERCQ", "GUILLAUME", "LECOMTE", "LOPEZ", "JEAN", "DUPUY", "GUILLOT",
    "HUBERT", "BERGER", "CARPENTIER", "SANCHEZ", "DUPUIS", "MOULIN", "LOUIS",
    "DESCHAMPS", "HUET", "VASSEUR", "PEREZ", "BOUCHER", "FLEURY", "ROYER",
    "KLEIN", "JACQUET", "ADAM", "PARIS", "POIRIER", "MARTY", "AUBRY",
    "GUYOT", "CARRÉ", "CHARLES", "RENAULT", "CHARPENTIER", "MÉNARD",
    "MAILLARD", "BARON", "BERTIN", "BAILLY", "HERVÉ", "SCHNEIDER",
    "FERNANDEZ", "LE GALL", "COLLET", "LÉGER", "BOUVIER", "JULIEN",
    "PRÉVOST", "MILLET", "PERROT", "DANIEL", "LE ROUX", "COUSIN", "GERMAIN",
    "BRETON", "BESSON", "LANGLOIS", "RÉMY", "LE GOFF", "PELLETIER",
    "LÉVÊQUE", "PERRIER", "LEBLANC", "BARRÉ", "LEBRUN", "MARCHAL", "WEBER",
    "MALLET", "HAMON", "BOULANGER", "JACOB", "MONNIER", "MICHAUD",
    "RODRIGUEZ", "GUICHARD", "GILLET", "ÉTIENNE", "GRONDIN", "POULAIN",
    "TESSIER", "CHEVALLIER", "COLLIN", "CHAUVIN", "DA SILVA", "BOUCHET",
    "GAY", "LEMAÎTRE", "BÉNARD", "MARÉCHAL", "HUMBERT", "REYNAUD", "ANTOINE",
    "HOARAU", "PERRET", "BARTHÉLEMY", "CORDIER", "PICHON", "LEJEUNE",
    "GILBERT", "LAMY", "DELAUNAY", "PASQUIER", "CARLIER", "LAPORTE",
    "NGUYEN", "THIBAULT", "PERRAULT", "GUILLEMIN", "RIGAUD", "BOUCHARD",
    "DE OLIVEIRA", "DOS SANTOS", "D'ALMEIDA", "DE SOUSA", "LE BIHAN",
    "LE CORRE", "LE BRIS", "LE FLOCH", "LE MOAL", "DELACROIX", "DE LA RUE",
    "DU PUY", "D'ANDRÉA", "DE SAINT-JUST", "LE GUEN", "LE MEUR", "KERBRAT",
    "TANGUY", "GUÉGUEN", "QUÉMÉNER", "CADIOU", "LE HIR", "MORVAN", "JÉGOU",
    "BENALI", "BENAMAR", "HADDAD", "BOUZID", "MANSOURI", "DIALLO", "TRAORÉ",
    "COULIBALY", "DIOP", "N'DIAYE", "KONÉ", "CAMARA", "CISSÉ", "SYLLA",
    "TRAN", "LE VAN", "PHAM", "SILVA", "FERREIRA", "PEREIRA", "RIBEIRO",
    "LEBON", "TEXIER", "GIMENEZ", "LAGARDE", "BOURDON", "FAVRE", "JOUBERT",
    "BRUNEAU", "LÉONARD", "MAURIN", "PHILIPPON", "RAYMOND", "ARNOULT",
    "GODARD", "HÉBERT", "DIDIER", "CLERC", "BOIS", "LEGER", "DELMAS",
    "GRAND", "GUILLON", "MARIN", "FERRAND", "PONS", "LECOQ", "POTIER",
    "BAUDRY", "TISSIER", "MONTAGNE", "VALLÉE", "CHAMBON", "GEOFFROY",
    "BOURGOIN", "VERDIER", "THÉBAULT", "GUIBERT", "COSTE", "LAVAL",
    "BARBE", "DUFOUR-LAMBERT", "MARTIN-DUPONT", "ROUSSEL-MOREAU", "FAUCHER",
    "PAILLARD", "ROUSSELOT", "MOUNIER", "BESNARD", "GAUDIN", "TOUSSAINT",
    "DESCAMPS", "LEBEAU", "RAULT", "GALLAIS", "MORICE", "PHELIPPEAU",
    "THÉVENIN", "HUGUET", "SAUVAGE", "CHAPUIS", "BRISSET", "AUGER",
};
const unsigned gen_surname_count = sizeof gen_surnames / sizeof gen_surnames[0];

/* Eras: born before 1960, 1960-1989, from 1990. */
static const char *const m_old[] = {
    "JEAN", "MICHEL", "ANDRÉ", "PIERRE", "BERNARD", "JACQUES", "ROGER",
    "MARCEL", "RENÉ", "LOUIS", "CLAUDE", "ROBERT", "GEORGES", "HENRI",
    "PAUL", "GÉRARD", "RAYMOND", "MAURICE", "JEAN-PIERRE", "JEAN-CLAUDE",
    "LUCIEN", "DANIEL", "ALAIN", "GUY", "JEAN-MARIE", "FRANÇOIS", "YVES",
    "GILBERT", "ROLAND", "FERNAND", "ÉMILE", "JOSEPH", "MARIUS", "GASTON",
    "RAYNALD", "JEAN-LOUIS", "JEAN-PAUL", "NOËL", "PHILIPPE", "SERGE",
};
static const char *const f_old[] = {
    "MARIE", "JEANNE", "MONIQUE", "FRANÇOISE", "NICOLE", "JACQUELINE",
    "DENISE", "SIMONE", "GENEVIÈVE", "YVETTE", "COLETTE", "SUZANNE",
    "MADELEINE", "ODETTE", "GERMAINE", "PAULETTE", "DANIELLE", "MICHÈLE",
    "CHRISTIANE", "ANNIE", "MARIE-THÉRÈSE", "RENÉE", "ANDRÉE", "LUCIENNE",
    "ODILE", "JOSETTE", "GISÈLE", "HÉLÈNE", "ANNE-MARIE", "MARIE-CLAUDE",
    "THÉRÈSE", "YVONNE", "MARCELLE", "HUGUETTE", "BERNADETTE", "ÉLISE",
    "MARGUERITE", "LOUISE", "ARLETTE", "GINETTE",
};
static const char *const m_mid[] = {
    "PHILIPPE", "CHRISTOPHE", "STÉPHANE", "PATRICK", "THIERRY", "FRÉDÉRIC",
    "LAURENT", "ÉRIC", "OLIVIER", "PASCAL", "NICOLAS", "SÉBASTIEN", "DAVID",
    "JULIEN", "CHRISTIAN", "DIDIER", "BRUNO", "FRANCK", "VINCENT", "SYLVAIN",
    "JÉRÔME", "CÉDRIC", "ARNAUD", "FABRICE", "JEAN-FRANÇOIS", "JEAN-MARC",
    "MICKAËL", "GRÉGORY", "ANTHONY", "YANNICK", "LUDOVIC", "GUILLAUME",
    "XAVIER", "EMMANUEL", "JEAN-LUC", "HERVÉ", "DOMINIQUE", "JOËL", "LOÏC",
    "MATHIEU",
};
static const char *const f_mid[] = {
    "NATHALIE", "ISABELLE", "SYLVIE", "CATHERINE", "VALÉRIE", "SANDRINE",
    "CHRISTINE", "VÉRONIQUE", "STÉPHANIE", "CÉLINE", "KARINE", "SOPHIE",
    "CORINNE", "PATRICIA", "AURÉLIE", "ÉMILIE", "VIRGINIE", "ANNE-SOPHIE",
    "BRIGITTE", "MARTINE", "LAURENCE", "CAROLINE", "FLORENCE", "DELPHINE",
    "SÉVERINE", "AUDREY", "CÉCILE", "ÉLODIE", "JULIE", "MARIE-CLAIRE",
    "CHRYSTELLE", "MAGALI", "HÉLÈNE", "BÉATRICE", "MURIEL", "CAMILLE",
    "GAËLLE", "ANNE-LAURE", "MYRIAM", "EMMANUELLE",
};
static const char *const m_new[] = {
    "THOMAS", "LUCAS", "HUGO", "THÉO", "NATHAN", "LÉO", "LOUIS", "ENZO",
    "GABRIEL", "MAXIME", "ALEXANDRE", "QUENTIN", "CLÉMENT", "ANTOINE",
    "RAPHAËL", "TOM", "ARTHUR", "JULES", "MATHÉO", "ADAM", "MOHAMED",
    "ETHAN", "PAUL", "NOAH", "KYLIAN", "BAPTISTE", "VALENTIN", "ROMAIN",
    "EWAN", "TIMÉO", "SACHA", "MAËL", "NOLAN", "YANIS", "RAYAN", "AXEL",
    "JEAN-BAPTISTE", "LOUKA", "ELIOTT", "MATTÉO",
};
static const char *const f_new[] = {
    "EMMA", "LÉA", "CHLOÉ", "MANON", "CAMILLE", "INÈS", "JADE", "SARAH",
    "LOUISE", "LOLA", "ZOÉ", "CLARA", "LÉNA", "ALICE", "JULIETTE", "ANAÏS",
    "MATHILDE", "LAURA", "OCÉANE", "MARIE", "EVA", "LINA", "ROSE", "AMBRE",
    "ANNA", "MAÏWENN", "LOU", "JEANNE", "MAËLYS", "ROMANE", "CHARLOTTE",
    "ELSA", "MARGAUX", "NOÉMIE", "PAULINE", "MÉLISSA", "YASMINE", "LYNA",
    "MARIE-LOU", "LÉANE",
};

const char *const *const gen_forenames[2][3] = {
    { m_old, m_mid, m_new },
    { f_old, f_mid, f_new },
};
const unsigned gen_forename_count[2][3] = {
    { sizeof m_old / sizeof *m_old, sizeof m_mid / sizeof *m_mid, sizeof m_new / sizeof *m_new },
    { sizeof f_old / sizeof *f_old, sizeof f_mid / sizeof *f_mid, sizeof f_new / sizeof *f_new },
};

/* Second and later forenames: the traditional ones come back often. */
static const char *const m_second[] = {
    "JEAN", "PIERRE", "MARIE", "LOUIS", "JOSEPH", "PAUL", "ANDRÉ", "MICHEL",
    "FRANÇOIS", "HENRI", "CHARLES", "ALBERT", "JACQUES", "RENÉ", "ÉMILE",
};
static const char *const f_second[] = {
    "MARIE", "ANNE", "LOUISE", "JEANNE", "FRANÇOISE", "CLAIRE", "CATHERINE",
    "MADELEINE", "THÉRÈSE", "HÉLÈNE", "ROSE", "ALICE", "JOSÉPHINE", "ÉLISABETH",
    "CHRISTINE",
};
const char *const *const gen_second_forenames[2] = { m_second, f_second };
const unsigned gen_second_forename_count[2] = {
    sizeof m_second / sizeof *m_second, sizeof f_second / sizeof *f_second,
};

/* Departments where the group's establishments stand (born locally) and
 * the others, by rough weight of births. */
const char *const gen_local_depts[] = { "35", "22", "29", "56", "44", "53" };
const unsigned gen_local_dept_count = sizeof gen_local_depts / sizeof *gen_local_depts;
const char *const gen_other_depts[] = {
    "75", "13", "69", "59", "92", "93", "33", "31", "94", "62", "06", "34",
    "67", "78", "91", "95", "76", "38", "77", "57", "49", "72", "37", "14",
    "50", "61", "2A", "2B", "974", "971", "972", "01", "21", "25", "63", "87",
};
const unsigned gen_other_dept_count = sizeof gen_other_depts / sizeof *gen_other_depts;

/* INSEE country codes (99 + 3 digits) of common countries of birth. */
const char *const gen_countries[] = {
    "350", "352", "351", "139", "134", "127", "109", "111", "326", "341",
    "243", "123", "212", "132", "335",
};
const unsigned gen_country_count = sizeof gen_countries / sizeof *gen_countries;
