/* SPDX-License-Identifier: Apache-2.0 */
/* Times two to four commands against each other, alternated in one run
 * so that the machine's drift (frequency, cache, other load) falls on all
 * alike.
 *   bench_exec [-n N] [-w WARMUP] [-o SAMPLES] [-c CLEANUP_A] [-C CLEANUP_B]
 *              [-D CLEANUP_C] [-E CLEANUP_D]
 *              LABEL_A 'CMD_A' LABEL_B 'CMD_B' [LABEL_C 'CMD_C' [LABEL_D 'CMD_D']]
 * Each command is split on spaces and run by fork and execvp, with stdout and
 * stderr to /dev/null; no shell is timed.  "{}" in a command or a cleanup
 * becomes the iteration's number.  A cleanup runs untimed after its command,
 * through /bin/sh.  Prints, per command, the median, mean, 90th percentile
 * and minimum in microseconds, then the difference of the medians (each
 * command's against the last one's, the baseline), and one machine-readable
 * "result LABEL MEDIAN MEAN P90 MIN" line each.  -o writes every timed
 * sample to SAMPLES, one "LABEL MICROS" a line in the order they ran (for a
 * plot of the distributions).
 * Any command exiting non-zero stops the run (a benchmark of an error path
 * is not a benchmark of the command). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64
#define MAX_SUBJECTS 4

struct subject
{
  const char *label;
  const char *command;
  const char *cleanup;
  double *micros;
};

/* expand: TEMPLATE with each "{}" replaced by N, in a new buffer. */
static char *
expand (const char *template, long n)
{
  char number[24];
  size_t len = strlen (template), nlen;
  char *out, *o;

  nlen = (size_t)snprintf (number, sizeof number, "%ld", n);
  out = o = malloc (len * (nlen > 2 ? nlen : 2) + 1);
  if (out == NULL)
    abort ();
  while (*template)
    {
      if (template[0] == '{' && template[1] == '}')
        {
          memcpy (o, number, nlen);
          o += nlen;
          template += 2;
          continue;
        }
      *o++ = *template ++;
    }
  *o = '\0';
  return out;
}

static void
split_words (char *line, char **argv)
{
  int argc = 0;

  for (char *word = strtok (line, " "); word != NULL && argc < MAX_ARGS - 1; word = strtok (NULL, " "))
    argv[argc++] = word;
  argv[argc] = NULL;
}

static double
elapsed_micros (const struct timespec *a, const struct timespec *b)
{
  return (double)(b->tv_sec - a->tv_sec) * 1e6 + (double)(b->tv_nsec - a->tv_nsec) / 1e3;
}

/* run_timed: fork, exec ARGV quietly, wait; the wall time in *micros. */
static int
run_timed (char **argv, double *micros)
{
  struct timespec a, b;
  int status;
  pid_t pid;

  clock_gettime (CLOCK_MONOTONIC, &a);
  pid = fork ();
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);
      dup2 (null, STDOUT_FILENO);
      dup2 (null, STDERR_FILENO);
      execvp (argv[0], argv);
      _exit (127);
    }
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    return -1;
  clock_gettime (CLOCK_MONOTONIC, &b);
  *micros = elapsed_micros (&a, &b);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static int
run_cleanup (const char *cleanup, long i)
{
  char *line;
  int ret;

  if (cleanup == NULL)
    return 0;
  line = expand (cleanup, i);
  ret = system (line);
  free (line);
  return ret;
}

/* one_round: the subject's command for iteration I (timed), then its cleanup. */
static int
one_round (struct subject *s, long i, double *micros)
{
  char *argv[MAX_ARGS];
  char *line = expand (s->command, i);
  int status;

  split_words (line, argv);
  status = run_timed (argv, micros);
  free (line);
  if (status != 0)
    {
      fprintf (stderr, "bench_exec: %s: '%s' (iteration %ld) exited %d\n", s->label, s->command, i, status);
      return -1;
    }
  if (run_cleanup (s->cleanup, i) != 0)
    {
      fprintf (stderr, "bench_exec: %s: cleanup '%s' failed\n", s->label, s->cleanup);
      return -1;
    }
  return 0;
}

/* write_samples: every timed sample of the COUNT subjects, before report
 * sorts them, to F (opened before the run: a bad path fails early). */
static int
write_samples (FILE *f, const char *path, const struct subject *s, int count, long n)
{
  for (long i = 0; i < n; i++)
    for (int k = 0; k < count; k++)
      fprintf (f, "%s %.1f\n", s[k].label, s[k].micros[i]);
  if (fclose (f) != 0)
    {
      fprintf (stderr, "bench_exec: cannot write '%s': %m\n", path);
      return -1;
    }
  return 0;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double
report (const struct subject *s, long n)
{
  double sum = 0, median, p90;

  qsort (s->micros, (size_t)n, sizeof (double), compare_doubles);
  for (long i = 0; i < n; i++)
    sum += s->micros[i];
  median = n % 2 ? s->micros[n / 2] : (s->micros[n / 2 - 1] + s->micros[n / 2]) / 2;
  p90 = s->micros[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1];
  printf ("%-24s median %9.1f us  mean %9.1f us  p90 %9.1f us  min %9.1f us  (n=%ld)\n", s->label, median,
          sum / (double)n, p90, s->micros[0], n);
  printf ("result %s %.1f %.1f %.1f %.1f\n", s->label, median, sum / (double)n, p90, s->micros[0]);
  return median;
}

static int
usage (void)
{
  fprintf (stderr, "usage: bench_exec [-n N] [-w WARMUP] [-o SAMPLES] [-c CLEANUP_A] [-C CLEANUP_B] [-D CLEANUP_C] "
                   "[-E CLEANUP_D] LABEL_A CMD_A LABEL_B CMD_B [LABEL_C CMD_C [LABEL_D CMD_D]]\n");
  return 2;
}

int
main (int argc, char **argv)
{
  struct subject s[MAX_SUBJECTS] = { 0 };
  const char *samples = NULL;
  FILE *samples_file = NULL;
  long n = 200, warmup = 5;
  double ignored, median[MAX_SUBJECTS];
  int opt, count;

  while ((opt = getopt (argc, argv, "+n:w:o:c:C:D:E:")) != -1)
    switch (opt)
      {
      case 'n':
        n = atol (optarg);
        break;
      case 'w':
        warmup = atol (optarg);
        break;
      case 'o':
        samples = optarg;
        break;
      case 'c':
        s[0].cleanup = optarg;
        break;
      case 'C':
        s[1].cleanup = optarg;
        break;
      case 'D':
        s[2].cleanup = optarg;
        break;
      case 'E':
        s[3].cleanup = optarg;
        break;
      default:
        return usage ();
      }
  count = (argc - optind) / 2;
  if ((argc - optind) % 2 != 0 || count < 2 || count > MAX_SUBJECTS || n < 1 || warmup < 0)
    return usage ();
  if (samples != NULL && (samples_file = fopen (samples, "we")) == NULL)
    {
      fprintf (stderr, "bench_exec: cannot open '%s': %m\n", samples);
      return 1;
    }
  for (int k = 0; k < count; k++)
    {
      s[k].label = argv[optind + 2 * k];
      s[k].command = argv[optind + 2 * k + 1];
      s[k].micros = calloc ((size_t)n, sizeof (double));
      if (s[k].micros == NULL)
        return 1;
    }
  for (long i = 0; i < warmup; i++)
    for (int k = 0; k < count; k++)
      if (one_round (&s[k], i, &ignored) < 0)
        return 1;
  /* alternate, and rotate which goes first every iteration */
  for (long i = 0; i < n; i++)
    for (int j = 0; j < count; j++)
      {
        int k = (int)((i + j) % count);
        if (one_round (&s[k], warmup + i, &s[k].micros[i]) < 0)
          return 1;
      }
  if (samples_file != NULL && write_samples (samples_file, samples, s, count, n) < 0)
    return 1;
  for (int k = 0; k < count; k++)
    median[k] = report (&s[k], n);
  for (int k = 0; k < count - 1; k++)
    printf ("difference of medians (%s - %s): %+.1f us (%+.1f %%)\n", s[k].label, s[count - 1].label,
            median[k] - median[count - 1], 100.0 * (median[k] - median[count - 1]) / median[count - 1]);
  for (int k = 0; k < count; k++)
    free (s[k].micros);
  return 0;
}
