/* SPDX-License-Identifier: Apache-2.0 */
/* A map from strings to pointers, for the answers hardrun keeps for the
 * length of one command (paths opened, destinations resolved): a spec may
 * name tens of thousands of mounts, so a lookup must not walk them all. */
#ifndef HARDRUN_STRMAP_H
#define HARDRUN_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct hr_strmap_slot
{
  char *key;
  void *value;
};

struct hr_strmap
{
  struct hr_strmap_slot *slots;
  size_t cap, len;
};

/* The value under key (which may be NULL); *found tells whether there is one. */
void *hr_strmap_get (const struct hr_strmap *map, const char *key, bool *found);
/* Sets key (copied) to value; the previous value, if any, is the caller's. */
void hr_strmap_put (struct hr_strmap *map, const char *key, void *value);
/* Frees the keys and the table; the values stay the caller's. */
void hr_strmap_clear (struct hr_strmap *map);

#endif
