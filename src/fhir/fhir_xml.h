/*
 * fhir_xml.h - FHIR XML read into FHIR JSON, for the one endpoint that
 * takes XML (IHE PMIR, fhir/pmir.h): Connectathon suppliers send XML.
 * Pure: bytes in, a jansson tree out; no store.
 *
 * The XML form has no arrays: whether an element repeats is in the
 * StructureDefinitions, which Socle does not load. A table says it for the
 * resources a feed carries (Bundle, MessageHeader, Patient,
 * OperationOutcome, Parameters) and their datatypes (HumanName, Address,
 * ContactPoint, Identifier, CodeableConcept, Meta, Extension); an element
 * outside the table is read as a single value (a second occurrence is an
 * error rather than a silent loss). Primitives take their `value`
 * attribute (boolean and number elements by name), with their id and
 * extensions under "_name"; an element's `id` and an extension's `url`
 * attributes become members; a resource inside `resource` (or `contained`)
 * gets its resourceType; the narrative's XHTML `div` is kept as text.
 *
 * Refused: not well-formed XML, a root or element outside the FHIR
 * namespace (http://hl7.org/fhir) other than the narrative div, a DTD
 * (FHIR forbids them; no entity is ever expanded, nothing is fetched),
 * nesting deeper than 64 elements.
 */
#ifndef SOCLE_FHIR_XML_H
#define SOCLE_FHIR_XML_H

#include <jansson.h>
#include <stddef.h>

/* The resource in xml (len bytes) as JSON, or NULL with a message in err
 * (errn bytes, never empty). The caller owns the tree. */
json_t *fhir_xml_to_json(const char *xml, size_t len, char *err, size_t errn);

#endif
