/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HARDRUN_XML_TEXT_H
#define HARDRUN_XML_TEXT_H

#include <stdio.h>

/* Writes s as XML 1.0 text or attribute value: markup characters escaped,
 * control characters other than tab and newlines (which XML cannot carry)
 * as '?'.  For the JUnit reports of check and doctor. */
void hr_xml_text (const char *s, FILE *out);

#endif
