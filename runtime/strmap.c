/* SPDX-License-Identifier: Apache-2.0 */
/* See strmap.h.  Open addressing with linear probing, kept at most 3/4
 * full; FNV-1a as the hash (keys are paths, not chosen to collide: a
 * spec's author gains nothing but a slower create of their own). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/util.h"
#include "strmap.h"

static uint64_t
hash_of (const char *key)
{
  uint64_t h = 14695981039346656037ULL;

  for (const unsigned char *c = (const unsigned char *)key; *c; c++)
    h = (h ^ *c) * 1099511628211ULL;
  return h;
}

/* The slot of key, or the empty slot where it would go. */
static struct hr_strmap_slot *
slot_of (const struct hr_strmap *map, const char *key)
{
  size_t i = (size_t)(hash_of (key) & (map->cap - 1));

  while (map->slots[i].key && strcmp (map->slots[i].key, key) != 0)
    i = (i + 1) & (map->cap - 1);
  return &map->slots[i];
}

static void
grow (struct hr_strmap *map)
{
  struct hr_strmap old = *map;

  map->cap = old.cap ? old.cap * 2 : 64;
  map->slots = xcalloc (map->cap, sizeof *map->slots);
  for (size_t i = 0; i < old.cap; i++)
    if (old.slots[i].key)
      *slot_of (map, old.slots[i].key) = old.slots[i];
  free (old.slots);
}

void *
hr_strmap_get (const struct hr_strmap *map, const char *key, bool *found)
{
  struct hr_strmap_slot *s = map->cap ? slot_of (map, key) : NULL;

  *found = s && s->key;
  return *found ? s->value : NULL;
}

void
hr_strmap_put (struct hr_strmap *map, const char *key, void *value)
{
  struct hr_strmap_slot *s;

  if ((map->len + 1) * 4 > map->cap * 3)
    grow (map);
  s = slot_of (map, key);
  if (s->key == NULL)
    {
      s->key = xstrdup (key);
      map->len++;
    }
  s->value = value;
}

void
hr_strmap_clear (struct hr_strmap *map)
{
  for (size_t i = 0; i < map->cap; i++)
    free (map->slots[i].key);
  free (map->slots);
  *map = (struct hr_strmap){ 0 };
}
