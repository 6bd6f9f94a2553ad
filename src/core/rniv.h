/*
 * rniv.h - the national identity-vigilance rules (RNIV) as pure functions:
 * trait validation and normalisation, identity status and attributes, and
 * the transitions between them. No storage here: core/identity.c applies
 * these rules inside its transactions.
 *
 * Status is derived from two verifications, never set directly:
 *   no INSi, no high-trust proof -> PROV (provisoire)
 *   INSi,    no high-trust proof -> RECUP (récupérée)
 *   no INSi, high-trust proof    -> VALI (validée)
 *   INSi and high-trust proof    -> QUAL (qualifiée)
 * An identity holds an INS if and only if it was retrieved or checked by
 * INSi (insi_verified). Doubtful and fictitious identities stay PROV.
 */
#ifndef SOCLE_CORE_RNIV_H
#define SOCLE_CORE_RNIV_H

#include <stddef.h>

#include "core/model.h"
#include "util/error.h"

/* ---- Status and attributes ------------------------------------------- */

const char *rniv_status_code(rniv_status s);      /* "PROV" "RECUP" "VALI" "QUAL" */
const char *rniv_status_label_fr(rniv_status s);  /* "Provisoire", "Récupérée"... */
int rniv_status_parse(const char *code, rniv_status *out);  /* 0 or -1 */

rniv_status rniv_status_from(int insi_verified, int high_trust_proof);

/* Attribute bit from "DOUTEUSE"/"FICTIVE"/"HOMONYME" (also the PAM codes
 * "DOUT", "FICT", "HOMA"); 0 if unknown. */
unsigned rniv_attribute_parse(const char *name);
const char *rniv_attribute_name(unsigned attr);  /* "douteuse", "fictive", "homonyme" */

/* ---- Identity documents ---------------------------------------------- */

/* Codes of the document seen at the desk (PAM FR ZFD-7): AN acte de
 * naissance, CC carnet de circulation, CE carte d'identité européenne, CM
 * carte militaire, CN carte nationale d'identité, CS carte de séjour, LE
 * livret de famille, PA passeport, PC permis de conduire, TC titre de
 * circulation. High trust (RNIV): CN, PA, CE, CS. Plus SRC: a high-trust
 * document checked by the sending establishment, which validated the
 * identity without transmitting the document's type. */
int rniv_proof_known(const char *code);
int rniv_proof_high_trust(const char *code);

/* ---- Traits ----------------------------------------------------------- */

/* Bits naming the strict traits, for differences and error messages. */
#define RNIV_TRAIT_BIRTH_NAME     0x01u
#define RNIV_TRAIT_FIRST_FORENAME 0x02u
#define RNIV_TRAIT_FORENAMES      0x04u
#define RNIV_TRAIT_BIRTH_DATE     0x08u
#define RNIV_TRAIT_SEX            0x10u
#define RNIV_TRAIT_BIRTH_PLACE    0x20u

/* Comma-separated English names of the traits in mask ("birth name, sex"). */
void rniv_trait_names(unsigned mask, char *out, size_t n);

/* Check traits before storing them: the five strict traits needed to create
 * an identity (birth name, first forename, forename list, birth date, sex)
 * are present; UTF-8 is valid; the birth date is a real date not in the
 * future; sex is M, F or U; birth place is empty or a 5-character INSEE
 * code (digits, or 2A/2B then 3 digits); the first forename is the first
 * word of the forename list (RNIV). err names the field. */
int rniv_traits_validate(const identity_traits *t, socle_err *err);

/* Normalise a name as RNIV entry rules do, for matching and comparison:
 * decomposition, diacritics removed, upper case, '-' and '\'' kept, other
 * punctuation turned into spaces, spaces collapsed and trimmed. ("Élodie
 * d'Arc-Lévy" -> "ELODIE D'ARC-LEVY".) Returns 0, or -1 if the input is not
 * valid UTF-8 or the result does not fit in n bytes. */
int rniv_normalize_name(const char *in, char *out, size_t n);

/* Strict traits that differ between a and b (RNIV_TRAIT_* mask); names are
 * compared after normalisation. */
unsigned rniv_strict_diff(const identity_traits *a, const identity_traits *b);

/* ---- Transitions ------------------------------------------------------ */
/* Each returns 0 and updates li, or -1 with err (SOCLE_ERULE for a refused
 * transition, SOCLE_EINVAL for bad input) leaving li unchanged. */

/* Replace the traits. A change of any strict trait of an identity that is
 * not PROV takes it back down: INS removed, INSi and proof cleared, status
 * PROV (the identity cell must verify it again). *downgraded is set to 1
 * when that happened (may be NULL). */
int rniv_apply_traits(local_identity *li, const identity_traits *t,
                      int *downgraded, socle_err *err);

/* Record a successful INSi call: the matricule and its OID (INS-NIR or
 * INS-NIA) with the traits INSi returned. Refused for doubtful or fictitious
 * identities, for a matricule with a bad key or inconsistent with sex/birth
 * date, for an OID that is not INS-NIR/INS-NIA, and when INSi disagrees on
 * birth name, first forename, sex or birth date (RNIV forbids recovery).
 * Otherwise INSi's strict traits replace the local ones and the status
 * becomes RECUP (or QUAL with a high-trust proof). at = when INSi answered. */
int rniv_record_insi(local_identity *li, const char *ins, const char *ins_oid,
                     const identity_traits *insi_traits, const char *at,
                     socle_err *err);

/* Record the identity document seen. Unknown code -> EINVAL; doubtful or
 * fictitious identity -> ERULE. A high-trust document makes the status VALI
 * (or QUAL with INSi); a low-trust one is recorded only if no high-trust
 * document is already recorded, and changes no status. */
int rniv_record_proof(local_identity *li, const char *doc_code, socle_err *err);

/* Remove the INS (INSi re-check failed, A47 deletion): status becomes VALI
 * or PROV. */
void rniv_remove_ins(local_identity *li);

/* Set or clear an attribute. Doubtful: forbidden together with fictitious;
 * setting it takes the identity to PROV and removes INS, INSi and proof
 * (suspected fraud). Fictitious: only on a PROV identity that is not
 * doubtful. Homonym: any status. */
int rniv_set_attribute(local_identity *li, unsigned attr, int on, socle_err *err);

/* Check the invariants of a stored identity (status matches the
 * verifications, INS iff INSi, attributes allowed with the status). */
int rniv_check(const local_identity *li, socle_err *err);

#endif
