/* SPDX-License-Identifier: Apache-2.0 */
/* The cost of create without the runtime: parse a spec, enforce the embedded
 * default policy (seccomp compiled included) and serialize the result, N
 * times.  Prints the mean time per create and the peak resident memory.
 *   bench_create SPEC [ITERATIONS [both|uncached|cached]]
 * uncached compiles the seccomp profile in every create (as a first create
 * does), cached remembers it (as create does for a profile it has seen);
 * both (the default) runs the two passes.  one_create is not inlined, so
 * that callgrind --toggle-collect=one_create counts one create's
 * instructions and nothing of the set-up.
 * The host answers are fixed (no filesystem access) so the figure is the
 * policy's own cost; create adds one read and one atomic write of the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"
#include "host.h"

static int
never_host (const struct hr_host *host, const char *type, const char *path, bool *is_host, hr_error_t *err)
{
  *is_host = false;
  return 0;
}

static char *
same_path (const struct hr_host *host, const char *path)
{
  return xstrdup (path);
}

static bool
has_dir (const struct hr_host *host, const char *rootfs, const char *dir)
{
  return true;
}

/* a hook's executable is what its path names, and root's */
static int
trusted_as_named (const struct hr_host *host, const char *path, char **resolved, hr_error_t *err)
{
  *resolved = xstrdup (path);
  return 0;
}

static struct hr_host bench_host = {
  .namespace_is_host = never_host,
  .resolve_path = same_path,
  .rootfs_has_dir = has_dir,
  .trusted_executable = trusted_as_named,
};

static char *
read_file (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  char *buf;
  long size;

  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  size = ftell (f);
  rewind (f);
  buf = xmalloc ((size_t)size + 1);
  *len = fread (buf, 1, (size_t)size, f);
  fclose (f);
  return buf;
}

__attribute__ ((noinline)) static int
one_create (const char *text, size_t len, const struct hr_profile *profile)
{
  hr_error_t err = NULL;
  struct hr_json *spec = hr_json_parse (text, len, &err);
  struct hr_result result = { 0 };
  char *out;

  if (spec == NULL || hr_enforce_spec (spec, profile, false, &bench_host, &result, &err) < 0)
    {
      fprintf (stderr, "bench_create: %s\n", err ? err->msg : "failed");
      return -1;
    }
  out = hr_json_serialize (spec, NULL);
  free (out);
  hr_result_clear (&result);
  hr_json_free (spec);
  return 0;
}

int
main (int argc, char **argv)
{
  hr_error_t err = NULL;
  struct hr_policy *policy;
  struct timespec a, b;
  struct rusage ru;
  size_t len;
  char *text;
  long n = argc > 2 ? atol (argv[2]) : 200;
  const char *mode = argc > 3 ? argv[3] : "both";
  int first_pass = strcmp (mode, "cached") == 0, last_pass = strcmp (mode, "uncached") == 0 ? 0 : 1;

  if (argc < 2 || n < 1 || (first_pass > last_pass)
      || (strcmp (mode, "both") && strcmp (mode, "cached") && strcmp (mode, "uncached")))
    return fprintf (stderr, "usage: bench_create SPEC [ITERATIONS [both|uncached|cached]]\n"), 2;
  if ((text = read_file (argv[1], &len)) == NULL)
    return fprintf (stderr, "bench_create: cannot read %s\n", argv[1]), 2;
  policy = hr_policy_load_default (&err);
  if (policy == NULL)
    return 1;
  for (int cached = first_pass; cached <= last_pass; cached++)
    {
      /* the second pass remembers compiled seccomp profiles, as create does */
      if (cached)
        hr_host_enable_caches (&bench_host);
      clock_gettime (CLOCK_MONOTONIC, &a);
      for (long i = 0; i < n; i++)
        if (one_create (text, len, &policy->profiles[0]) < 0)
          return 1;
      clock_gettime (CLOCK_MONOTONIC, &b);
      getrusage (RUSAGE_SELF, &ru);
      printf ("%s: %zu bytes, %.1f us per create (%s, mean of %ld), peak RSS %ld KiB\n", argv[1], len,
              ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / (double)n,
              cached ? "seccomp compile cached" : "seccomp compiled each time", n, ru.ru_maxrss);
    }
  hr_policy_free (policy);
  free (text);
  return 0;
}
