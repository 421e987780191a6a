/* SPDX-License-Identifier: Apache-2.0 */
/* "did you mean": the known name closest to a misspelt one. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hardrun/util.h"

#define MAX_NAME 128

static size_t
min3 (size_t a, size_t b, size_t c)
{
  size_t m = a < b ? a : b;
  return m < c ? m : c;
}

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and transpositions of neighbours each cost one; a letter that differs only
 * in case costs nothing (keys are exact, but "Limit" meant "limit"). */
static size_t
distance (const char *a, const char *b)
{
  size_t n = strlen (a), m = strlen (b);
  size_t d[MAX_NAME + 1][MAX_NAME + 1];

  if (n > MAX_NAME || m > MAX_NAME)
    return (size_t)-1;
  for (size_t i = 0; i <= n; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= m; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= n; i++)
    for (size_t j = 1; j <= m; j++)
      {
        size_t cost = strncasecmp (a + i - 1, b + j - 1, 1) == 0 ? 0 : 1;
        d[i][j] = min3 (d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
          d[i][j] = d[i - 2][j - 2] + 1;
      }
  return d[n][m];
}

const char *
hr_closest_name (const char *name, const char *const *candidates, size_t n)
{
  /* about one edit in three letters: "alow" -> "allow", "capabilites" ->
   * "capabilities", but never a different short word ("pid" for "uts") */
  size_t limit = (strlen (name) + 2) / 3, best = (size_t)-1;
  const char *found = NULL;

  for (size_t i = 0; i < n; i++)
    {
      size_t d = distance (name, candidates[i]);
      if (strcmp (name, candidates[i]) != 0 && d < best && d <= limit)
        {
          best = d;
          found = candidates[i];
        }
    }
  return found;
}
