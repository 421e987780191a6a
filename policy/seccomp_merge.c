/* SPDX-License-Identifier: Apache-2.0 */
/* The strictest of several seccomp profiles, as one profile.
 *
 * libseccomp does not answer a call with the strictest of the rules that
 * match it: a rule without conditions shadows every conditional rule of the
 * same call whatever their actions (an unconditional LOG beside "ERRNO when
 * arg1 == 0700" lets mkdir(0700) run), and among conditional rules that
 * overlap, the shape of its decision tree picks one (ALLOW on arg1 beat
 * ERRNO on arg0 when both matched).  Simply concatenating two profiles can
 * therefore loosen either.  So the answer is computed here, call by call,
 * as a function of the arguments:
 *
 *   h(x) = strictest over profiles p of g_p(x)
 *
 * where g_p is what profile p answers (its unconditional rule if it has
 * one, else the strictest of its matching conditional rules, else its
 * default; never looser than libseccomp's pick).  h is then written out as
 * rules whose conditions are pairwise disjoint between different actions,
 * so libseccomp's tie-breaking never comes into play: for the actions
 * a_0 > a_1 > ... of a call, region(a_k) = H(a_k) and not H(a_{k-1}), where
 * H(a) = "some profile answers at least as strictly as a".  Conditions are
 * kept as sets of 64-bit values per argument (a range, a value excluded, a
 * masked value), combined and negated exactly; when a region needs more
 * than one comparison of one argument (runc would read two comparisons of
 * the same argument as either-or) it cannot be written, and the call gets
 * its strictest action unconditionally instead (fail closed). */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "seccomp_profile.h"

#define MAX_TERMS 1024
/* Bounds on the work a spec can ask for (beyond them a call gets its
 * strictest answer): conditional rules per call, and BPF instructions run
 * to check the whole filter. */
#define MAX_CONDITIONAL_RULES 32
#define CHECK_BUDGET 20000000
#define ENOSYS_VALUE 38

/* ---- conditions: sets of argument values ------------------------------ */

enum lit_kind
{
  LIT_ANY,   /* every value */
  LIT_RANGE, /* x <= value <= y */
  LIT_NE,    /* value != x */
  LIT_MASK,  /* (value & x) == y, y within x */
};

struct lit
{
  enum lit_kind kind;
  uint64_t x, y;
};

/* A conjunction: one set per argument. */
struct term
{
  struct lit arg[MAX_SYSCALL_ARGS];
};

/* A disjunction of terms; unrep: some part could not be represented. */
struct dnf
{
  struct term *t;
  size_t len, cap;
  bool unrep;
};

static void
dnf_clear (struct dnf *d)
{
  free (d->t);
  memset (d, 0, sizeof *d);
}

static void
dnf_push (struct dnf *d, const struct term *t)
{
  if (d->len >= MAX_TERMS)
    {
      d->unrep = true;
      return;
    }
  if (d->len == d->cap)
    {
      d->cap = d->cap ? d->cap * 2 : 4;
      d->t = xrealloc (d->t, d->cap * sizeof *d->t);
    }
  d->t[d->len++] = *t;
}

static struct dnf
dnf_true (void)
{
  struct dnf d = { 0 };
  struct term t;

  memset (&t, 0, sizeof t);
  dnf_push (&d, &t);
  return d;
}

static bool
term_is_any (const struct term *t)
{
  for (size_t i = 0; i < MAX_SYSCALL_ARGS; i++)
    if (t->arg[i].kind != LIT_ANY)
      return false;
  return true;
}

static bool
dnf_is_true (const struct dnf *d)
{
  for (size_t i = 0; i < d->len; i++)
    if (term_is_any (&d->t[i]))
      return true;
  return false;
}

static void
dnf_or (struct dnf *d, const struct dnf *o)
{
  for (size_t i = 0; i < o->len; i++)
    dnf_push (d, &o->t[i]);
  d->unrep |= o->unrep;
}

static struct lit
range (uint64_t lo, uint64_t hi)
{
  if (lo == 0 && hi == UINT64_MAX)
    return (struct lit){ LIT_ANY, 0, 0 };
  return (struct lit){ LIT_RANGE, lo, hi };
}

/* The part of a range outside the value p: up to two ranges. */
static size_t
range_without (uint64_t lo, uint64_t hi, uint64_t p, struct lit out[2])
{
  size_t n = 0;

  if (p < lo || p > hi)
    return out[0] = range (lo, hi), 1;
  if (p > lo)
    out[n++] = range (lo, p - 1);
  if (p < hi)
    out[n++] = range (p + 1, hi);
  return n;
}

/* A masked value without one value p that it matches: some bit outside the
 * mask differs from p's. */
static int
mask_without (struct lit m, uint64_t p, struct lit out[64])
{
  int n = 0;

  for (unsigned b = 0; b < 64; b++)
    if (!(m.x & (1ULL << b)))
      out[n++] = (struct lit){ LIT_MASK, m.x | (1ULL << b), m.y | (~p & (1ULL << b)) };
  return n;
}

/* a AND b for one argument, as up to 64 sets (their union); -1 when it
 * cannot be represented. */
static int
lit_and (struct lit a, struct lit b, struct lit out[64])
{
  if (a.kind > b.kind)
    {
      struct lit t = a;
      a = b, b = t;
    }
  if (a.kind == LIT_ANY)
    return out[0] = b, 1;
  switch (b.kind)
    {
    case LIT_RANGE: /* a is a range too */
      {
        uint64_t lo = a.x > b.x ? a.x : b.x, hi = a.y < b.y ? a.y : b.y;
        if (lo > hi)
          return 0;
        return out[0] = range (lo, hi), 1;
      }
    case LIT_NE:
      if (a.kind == LIT_RANGE)
        return (int)range_without (a.x, a.y, b.x, out);
      if (a.x == b.x)
        return out[0] = a, 1;
      {
        /* two values excluded: the ranges around them */
        uint64_t p = a.x < b.x ? a.x : b.x, q = a.x < b.x ? b.x : a.x;
        int n = 0;
        if (p > 0)
          out[n++] = range (0, p - 1);
        if (q > p + 1)
          out[n++] = range (p + 1, q - 1);
        if (q < UINT64_MAX)
          out[n++] = range (q + 1, UINT64_MAX);
        return n;
      }
    case LIT_MASK:
      if (a.kind == LIT_RANGE && a.x == a.y)
        return (a.x & b.x) == b.y ? (out[0] = a, 1) : 0;
      if (a.kind == LIT_NE)
        return (a.x & b.x) != b.y ? (out[0] = b, 1) : mask_without (b, a.x, out);
      if (a.kind == LIT_MASK)
        {
          if ((a.y ^ b.y) & a.x & b.x)
            return 0;
          return out[0] = (struct lit){ LIT_MASK, a.x | b.x, a.y | b.y }, 1;
        }
      return -1;
    case LIT_ANY:
    default:
      return out[0] = a, 1;
    }
}

/* t AND u, appended to out as terms. */
static void
term_and (const struct term *t, const struct term *u, struct dnf *out)
{
  struct dnf acc = dnf_true ();

  for (size_t i = 0; i < MAX_SYSCALL_ARGS && acc.len > 0; i++)
    {
      struct lit parts[64];
      int n = lit_and (t->arg[i], u->arg[i], parts);
      struct dnf next = { 0 };

      if (n < 0)
        {
          out->unrep = true;
          n = 0;
        }
      for (size_t k = 0; k < acc.len; k++)
        for (int j = 0; j < n; j++)
          {
            struct term x = acc.t[k];
            x.arg[i] = parts[j];
            dnf_push (&next, &x);
          }
      next.unrep |= acc.unrep;
      dnf_clear (&acc);
      acc = next;
    }
  dnf_or (out, &acc);
  dnf_clear (&acc);
}

static struct dnf
dnf_and (const struct dnf *a, const struct dnf *b)
{
  struct dnf out = { 0 };

  for (size_t i = 0; i < a->len && !out.unrep; i++)
    for (size_t k = 0; k < b->len && !out.unrep; k++)
      term_and (&a->t[i], &b->t[k], &out);
  out.unrep |= a->unrep || b->unrep;
  return out;
}

static void
push_lit (struct dnf *d, size_t arg, struct lit l)
{
  struct term t;

  memset (&t, 0, sizeof t);
  t.arg[arg] = l;
  dnf_push (d, &t);
}

/* NOT t: the union, over its arguments, of the values each excludes. */
static struct dnf
term_not (const struct term *t)
{
  struct dnf out = { 0 };

  for (size_t i = 0; i < MAX_SYSCALL_ARGS; i++)
    {
      const struct lit *l = &t->arg[i];
      switch (l->kind)
        {
        case LIT_RANGE:
          if (l->x == l->y)
            {
              push_lit (&out, i, (struct lit){ LIT_NE, l->x, 0 });
              break;
            }
          if (l->x > 0)
            push_lit (&out, i, range (0, l->x - 1));
          if (l->y < UINT64_MAX)
            push_lit (&out, i, range (l->y + 1, UINT64_MAX));
          break;
        case LIT_NE:
          push_lit (&out, i, range (l->x, l->x));
          break;
        case LIT_MASK:
          /* some masked bit differs */
          for (unsigned b = 0; b < 64; b++)
            if (l->x & (1ULL << b))
              push_lit (&out, i, (struct lit){ LIT_MASK, 1ULL << b, ~l->y & (1ULL << b) });
          break;
        case LIT_ANY:
        default:
          break;
        }
    }
  return out;
}

static void dnf_simplify (struct dnf *d);

static struct dnf
dnf_not (const struct dnf *d)
{
  struct dnf acc = dnf_true ();

  for (size_t i = 0; i < d->len && acc.len > 0 && !acc.unrep; i++)
    {
      struct dnf n = term_not (&d->t[i]);
      struct dnf next = dnf_and (&acc, &n);
      dnf_clear (&n);
      dnf_clear (&acc);
      acc = next;
      dnf_simplify (&acc); /* keeps products of many negations small */
    }
  acc.unrep |= d->unrep;
  return acc;
}

static bool
matches (uint64_t v, const struct lit *l)
{
  switch (l->kind)
    {
    case LIT_RANGE:
      return v >= l->x && v <= l->y;
    case LIT_NE:
      return v != l->x;
    case LIT_MASK:
      return (v & l->x) == l->y;
    case LIT_ANY:
    default:
      return true;
    }
}

/* Every value of a is in b (as far as can be told cheaply). */
static bool
lit_subset (const struct lit *a, const struct lit *b)
{
  if (b->kind == LIT_ANY)
    return true;
  switch (a->kind)
    {
    case LIT_RANGE:
      if (a->x == a->y)
        return matches (a->x, b);
      if (b->kind == LIT_RANGE)
        return a->x >= b->x && a->y <= b->y;
      return b->kind == LIT_NE && !matches (b->x, a);
    case LIT_NE:
      return b->kind == LIT_NE && a->x == b->x;
    case LIT_MASK:
      if (b->kind == LIT_MASK)
        return (b->x & ~a->x) == 0 && (a->y & b->x) == b->y;
      return b->kind == LIT_NE && !matches (b->x, a);
    case LIT_ANY:
    default:
      return false;
    }
}

static bool
term_subset (const struct term *a, const struct term *b)
{
  for (size_t i = 0; i < MAX_SYSCALL_ARGS; i++)
    if (!lit_subset (&a->arg[i], &b->arg[i]))
      return false;
  return true;
}

/* Drops the terms another term covers (the first of equal ones stays). */
static void
dnf_simplify (struct dnf *d)
{
  size_t kept = 0;

  if (d->len > 256)
    return; /* quadratic: past this, let the size bound fail it closed */
  for (size_t i = 0; i < d->len; i++)
    {
      bool covered = false;
      for (size_t k = 0; k < d->len && !covered; k++)
        covered = k != i && term_subset (&d->t[i], &d->t[k]) && (k < i || !term_subset (&d->t[k], &d->t[i]));
      if (!covered)
        d->t[kept++] = d->t[i];
    }
  d->len = kept;
}

/* One comparison of runc's as a set; false when it matches nothing. */
static bool
lit_of (const struct scmp_arg_cmp *c, struct lit *out)
{
  uint64_t v = c->datum_a;

  switch (c->op)
    {
    case SCMP_CMP_EQ:
      *out = range (v, v);
      return true;
    case SCMP_CMP_NE:
      *out = (struct lit){ LIT_NE, v, 0 };
      return true;
    case SCMP_CMP_LT:
      return v > 0 && (*out = range (0, v - 1), true);
    case SCMP_CMP_LE:
      *out = range (0, v);
      return true;
    case SCMP_CMP_GT:
      return v < UINT64_MAX && (*out = range (v + 1, UINT64_MAX), true);
    case SCMP_CMP_GE:
      *out = range (v, UINT64_MAX);
      return true;
    case SCMP_CMP_MASKED_EQ:
      if (c->datum_b & ~v)
        return false;
      *out = v == 0 ? range (0, UINT64_MAX) : (struct lit){ LIT_MASK, v, c->datum_b };
      return true;
    case _SCMP_CMP_MIN:
    case _SCMP_CMP_MAX:
    default:
      return false;
    }
}

/* A rule's conditions as runc adds them: all of them, or, when an argument
 * index repeats, any one of them. */
static struct dnf
conditions_of (const struct scmp_arg_cmp *conds, size_t n, bool repeated_index)
{
  struct dnf d = { 0 };
  struct term t;
  bool possible = true;

  memset (&t, 0, sizeof t);
  for (size_t i = 0; i < n; i++)
    {
      struct lit l;
      bool ok = lit_of (&conds[i], &l);
      if (repeated_index)
        {
          if (ok)
            push_lit (&d, conds[i].arg, l);
          continue;
        }
      possible &= ok;
      t.arg[conds[i].arg] = l;
    }
  if (!repeated_index && possible)
    dnf_push (&d, &t);
  return d;
}

/* ---- profiles ---------------------------------------------------------- */

struct act
{
  uint32_t value;
  const char *name; /* as the profile spelled it */
  size_t source;    /* the profile it comes from (earlier wins ties) */
};

struct prule
{
  struct act act;
  bool unconditional;
  struct dnf cond;
};

struct prof
{
  const struct hr_json *json;
  struct act def;
  struct prule *rules;
  size_t n_rules;
};

/* Kernel precedence: the smaller, the stricter (KILL_PROCESS is negative). */
static int32_t
precedence (uint32_t value)
{
  return (int32_t)(value & 0xffff0000U);
}

/* < 0 when a is stricter than b. */
static int
act_cmp (const struct act *a, const struct act *b)
{
  if (precedence (a->value) != precedence (b->value))
    return precedence (a->value) < precedence (b->value) ? -1 : 1;
  if (a->value == b->value)
    return 0;
  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  return a->value < b->value ? -1 : 1;
}

static const char *
action_text (const struct hr_json *obj, const char *field)
{
  const struct hr_json *v = hr_json_get_value (obj, field);
  return hr_json_is_string (v) ? v->text : "";
}

static int
parse_rule (const struct hr_json *rule, struct prule *out, size_t source, hr_error_t *err)
{
  struct scmp_arg_cmp conds[HR_SECCOMP_MAX_CONDITIONS];
  const struct hr_json *names = hr_json_get_value (rule, "names");
  bool repeated;
  size_t n;

  if (rule->type != HR_JSON_OBJECT || (names && names->type != HR_JSON_ARRAY))
    return hr_error_set (err, 0, "linux.seccomp.syscalls: expected objects with a names array");
  for (size_t i = 0; names && i < names->len; i++)
    if (!hr_json_is_string (names->items[i]))
      return hr_error_set (err, 0, "linux.seccomp.syscalls: names must be strings, found %s",
                           hr_json_type_name (names->items[i]->type));
  if (hr_seccomp_read_action (rule, "action", "errnoRet", &out->act.value, err) < 0
      || hr_seccomp_read_conditions (hr_json_get_value (rule, "args"), conds, &n, &repeated, err) < 0)
    return -1;
  out->act.name = action_text (rule, "action");
  out->act.source = source;
  out->unconditional = n == 0;
  out->cond = n == 0 ? dnf_true () : conditions_of (conds, n, repeated);
  return 0;
}

static void
prof_clear (struct prof *p)
{
  for (size_t i = 0; i < p->n_rules; i++)
    dnf_clear (&p->rules[i].cond);
  free (p->rules);
  p->rules = NULL;
  p->n_rules = 0;
}

static int
parse_profile (const struct hr_json *json, size_t source, struct prof *out, hr_error_t *err)
{
  const struct hr_json *syscalls;

  memset (out, 0, sizeof *out);
  out->json = json;
  if (json->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "linux.seccomp: expected object");
  if (hr_seccomp_read_action (json, "defaultAction", "defaultErrnoRet", &out->def.value, err) < 0
      || hr_json_check_type (json, "syscalls", HR_JSON_ARRAY, "linux.seccomp", err) < 0
      || hr_json_check_type (json, "architectures", HR_JSON_ARRAY, "linux.seccomp", err) < 0)
    return -1;
  out->def.name = action_text (json, "defaultAction");
  out->def.source = source;
  syscalls = hr_json_get_value (json, "syscalls");
  out->rules = xcalloc (syscalls ? syscalls->len + 1 : 1, sizeof *out->rules);
  for (size_t i = 0; syscalls && i < syscalls->len; i++)
    {
      if (parse_rule (syscalls->items[i], &out->rules[i], source, err) < 0)
        return -1;
      out->n_rules++;
    }
  return 0;
}

/* ---- one call ------------------------------------------------------------ */

/* (name, profile, rule) triples, sorted by name, group the rules of a call. */
struct mention
{
  const char *name;
  size_t prof, rule;
};

static int
mention_cmp (const void *a, const void *b)
{
  const struct mention *x = a, *y = b;
  int c = strcmp (x->name, y->name);
  if (c != 0)
    return c;
  if (x->prof != y->prof)
    return x->prof < y->prof ? -1 : 1;
  return x->rule < y->rule ? -1 : (x->rule > y->rule);
}

struct call
{
  const char *name;
  const struct mention *m; /* its mentions */
  size_t n;
  struct act acts[64]; /* the distinct actions involved, strictest first */
  size_t n_acts;
  bool too_many;
};

static void
add_act (struct call *c, const struct act *a)
{
  for (size_t i = 0; i < c->n_acts; i++)
    if (c->acts[i].value == a->value)
      {
        if (a->source < c->acts[i].source)
          c->acts[i] = *a;
        return;
      }
  if (c->n_acts == HR_ARRAY_SIZE (c->acts))
    {
      c->too_many = true;
      return;
    }
  c->acts[c->n_acts++] = *a;
}

static int
act_qcmp (const void *a, const void *b)
{
  return act_cmp (a, b);
}

/* Does action a reach at least the strictness of acts[k]? */
static bool
at_least (const struct call *c, const struct act *a, size_t k)
{
  for (size_t i = 0; i <= k; i++)
    if (c->acts[i].value == a->value)
      return true;
  return false;
}

/* The arguments for which profile p answers call c at least as strictly as
 * c->acts[k]. */
static struct dnf
profile_reaches (const struct call *c, const struct prof *profs, size_t p, size_t k)
{
  const struct prof *pr = &profs[p];
  struct dnf out = { 0 }, any = { 0 }, none;
  const struct prule *uncond = NULL;

  for (size_t i = 0; i < c->n; i++)
    {
      const struct prule *r = &pr->rules[c->m[i].rule];
      if (c->m[i].prof != p || r->act.value == pr->def.value)
        continue; /* runc skips rules with the default action */
      if (r->unconditional && (uncond == NULL || act_cmp (&r->act, &uncond->act) < 0))
        uncond = r;
    }
  if (uncond)
    return at_least (c, &uncond->act, k) ? dnf_true () : out;
  for (size_t i = 0; i < c->n; i++)
    {
      const struct prule *r = &pr->rules[c->m[i].rule];
      if (c->m[i].prof != p || r->act.value == pr->def.value)
        continue;
      dnf_or (&any, &r->cond);
      if (at_least (c, &r->act, k))
        dnf_or (&out, &r->cond);
    }
  if (at_least (c, &pr->def, k))
    {
      none = dnf_not (&any);
      dnf_or (&out, &none);
      dnf_clear (&none);
    }
  dnf_clear (&any);
  return out;
}

static struct hr_json *
new_u64 (uint64_t v)
{
  char text[32];
  snprintf (text, sizeof text, "%llu", (unsigned long long)v);
  return hr_json_new_number (text);
}

static struct hr_json *
arg_json (size_t index, const char *op, uint64_t value, uint64_t value2, bool has_value2)
{
  struct hr_json *a = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (a, "index", hr_json_new_int ((int64_t)index));
  hr_json_set (a, "value", new_u64 (value));
  if (has_value2)
    hr_json_set (a, "valueTwo", new_u64 (value2));
  hr_json_set (a, "op", hr_json_new_string (op));
  return a;
}

/* The args of a term, or NULL when one of its sets needs two comparisons. */
static struct hr_json *
term_args (const struct term *t)
{
  cleanup_json struct hr_json *args = hr_json_new (HR_JSON_ARRAY);

  for (size_t i = 0; i < MAX_SYSCALL_ARGS; i++)
    {
      const struct lit *l = &t->arg[i];
      if (l->kind == LIT_NE)
        hr_json_append (args, arg_json (i, "SCMP_CMP_NE", l->x, 0, false));
      else if (l->kind == LIT_MASK)
        hr_json_append (args, arg_json (i, "SCMP_CMP_MASKED_EQ", l->x, l->y, true));
      else if (l->kind == LIT_RANGE && l->x == l->y)
        hr_json_append (args, arg_json (i, "SCMP_CMP_EQ", l->x, 0, false));
      else if (l->kind == LIT_RANGE && l->x == 0)
        hr_json_append (args, arg_json (i, "SCMP_CMP_LE", l->y, 0, false));
      else if (l->kind == LIT_RANGE && l->y == UINT64_MAX)
        hr_json_append (args, arg_json (i, "SCMP_CMP_GE", l->x, 0, false));
      else if (l->kind == LIT_RANGE)
        return NULL;
    }
  return hr_steal_pointer (&args);
}

static bool
has_errno (uint32_t value)
{
  return precedence (value) == precedence (SCMP_ACT_ERRNO (0)) || precedence (value) == precedence (SCMP_ACT_TRACE (0));
}

static struct hr_json *
rule_json (const char *name, const struct act *a, struct hr_json *args)
{
  struct hr_json *r = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *names = hr_json_new (HR_JSON_ARRAY);

  hr_json_append (names, hr_json_new_string (name));
  hr_json_set (r, "names", names);
  hr_json_set (r, "action", hr_json_new_string (a->name));
  if (has_errno (a->value))
    hr_json_set (r, "errnoRet", hr_json_new_int (a->value & 0xffff));
  if (args)
    hr_json_set (r, "args", args);
  return r;
}

/* The rules of call c (none when it gets the default), appended to out;
 * false when a region could not be written. */
static bool
emit_regions (const struct call *c, const struct prof *profs, size_t n, const struct act *def, struct hr_json *out)
{
  struct dnf higher = { 0 };
  bool ok = !c->too_many;

  for (size_t k = 0; k < c->n_acts && ok; k++)
    {
      struct dnf reach = { 0 }, not_higher, region;

      for (size_t p = 0; p < n; p++)
        {
          struct dnf r = profile_reaches (c, profs, p, k);
          dnf_or (&reach, &r);
          dnf_clear (&r);
        }
      not_higher = dnf_not (&higher);
      region = dnf_and (&reach, &not_higher);
      dnf_clear (&not_higher);
      dnf_clear (&higher);
      higher = reach;
      ok = !region.unrep;
      dnf_simplify (&region);
      if (ok && c->acts[k].value != def->value)
        {
          if (dnf_is_true (&region))
            {
              hr_json_append (out, rule_json (c->name, &c->acts[k], NULL));
              dnf_clear (&region);
              break; /* it shadows every other rule of the call */
            }
          for (size_t i = 0; i < region.len && ok; i++)
            {
              struct hr_json *args = term_args (&region.t[i]);
              ok = args != NULL;
              if (ok)
                hr_json_append (out, rule_json (c->name, &c->acts[k], args));
            }
        }
      if (ok && dnf_is_true (&region))
        {
          dnf_clear (&region);
          break; /* nothing is left for the looser actions */
        }
      dnf_clear (&region);
    }
  dnf_clear (&higher);
  return ok;
}

static bool
term_matches (const struct term *t, const uint64_t args[MAX_SYSCALL_ARGS])
{
  for (size_t i = 0; i < MAX_SYSCALL_ARGS; i++)
    if (!matches (args[i], &t->arg[i]))
      return false;
  return true;
}

static bool
dnf_matches (const struct dnf *d, const uint64_t args[MAX_SYSCALL_ARGS])
{
  for (size_t i = 0; i < d->len; i++)
    if (term_matches (&d->t[i], args))
      return true;
  return false;
}

static size_t
act_pos (const struct call *c, uint32_t value)
{
  for (size_t i = 0; i < c->n_acts; i++)
    if (c->acts[i].value == value)
      return i;
  return c->n_acts;
}

/* What profile p answers, as the merge reads it. */
static size_t
profile_answer (const struct call *c, const struct prof *profs, size_t p, const uint64_t args[MAX_SYSCALL_ARGS])
{
  const struct prof *pr = &profs[p];
  size_t uncond = SIZE_MAX, best = SIZE_MAX;

  for (size_t i = 0; i < c->n; i++)
    {
      const struct prule *r = &pr->rules[c->m[i].rule];
      size_t pos;
      if (c->m[i].prof != p || r->act.value == pr->def.value)
        continue;
      pos = act_pos (c, r->act.value);
      if (r->unconditional && (uncond == SIZE_MAX || pos < uncond))
        uncond = pos;
      if (!r->unconditional && pos < best && dnf_matches (&r->cond, args))
        best = pos;
    }
  if (uncond != SIZE_MAX)
    return uncond;
  return best != SIZE_MAX ? best : act_pos (c, pr->def.value);
}

static uint32_t
expected_answer (const struct call *c, const struct prof *profs, size_t n, const uint64_t args[MAX_SYSCALL_ARGS])
{
  size_t best = c->n_acts;

  for (size_t p = 0; p < n; p++)
    {
      size_t pos = profile_answer (c, profs, p, args);
      if (pos < best)
        best = pos;
    }
  return c->acts[best].value;
}

static void
collect_acts (struct call *c, const struct prof *profs, size_t n)
{
  c->n_acts = 0;
  c->too_many = false;
  for (size_t p = 0; p < n; p++)
    add_act (c, &profs[p].def);
  for (size_t i = 0; i < c->n; i++)
    add_act (c, &profs[c->m[i].prof].rules[c->m[i].rule].act);
  qsort (c->acts, c->n_acts, sizeof c->acts[0], act_qcmp);
}

/* clone3 answers ENOSYS, so that libc falls back to clone (whose namespace
 * flags the filter can see), unless something kills or traps it. */
static void
clone3_rules (const struct call *c, const struct act *def, struct hr_json *rules)
{
  struct act enosys = { SCMP_ACT_ERRNO (ENOSYS_VALUE), "SCMP_ACT_ERRNO", 0 };

  if (precedence (c->acts[0].value) < precedence (SCMP_ACT_ERRNO (0)))
    {
      if (c->acts[0].value != def->value)
        hr_json_append (rules, rule_json (c->name, &c->acts[0], NULL));
      return;
    }
  if (enosys.value != def->value)
    hr_json_append (rules, rule_json (c->name, &enosys, NULL));
}

/* No profile looks at the call's arguments (the usual case, answered
 * without computing regions). */
static bool
all_unconditional (const struct call *c, const struct prof *profs)
{
  for (size_t i = 0; i < c->n; i++)
    {
      const struct prof *pr = &profs[c->m[i].prof];
      const struct prule *r = &pr->rules[c->m[i].rule];
      if (!r->unconditional && r->act.value != pr->def.value)
        return false;
    }
  return true;
}

static size_t
conditional_rules (const struct call *c, const struct prof *profs)
{
  size_t count = 0;

  for (size_t i = 0; i < c->n; i++)
    count += !profs[c->m[i].prof].rules[c->m[i].rule].unconditional;
  return count;
}

/* Fail closed: the strictest answer for every call of it. */
static void
strictest_rules (const struct call *c, const struct act *def, struct hr_json *rules)
{
  while (rules->len > 0)
    hr_json_remove_at (rules, rules->len - 1);
  if (c->acts[0].value != def->value)
    hr_json_append (rules, rule_json (c->name, &c->acts[0], NULL));
}

/* The rules of one call. */
static struct hr_json *
call_rules (struct call *c, const struct prof *profs, size_t n, const struct act *def, bool clone3_enosys)
{
  struct hr_json *rules = hr_json_new (HR_JSON_ARRAY);

  collect_acts (c, profs, n);
  if (clone3_enosys && strcmp (c->name, "clone3") == 0)
    clone3_rules (c, def, rules);
  else if (seccomp_syscall_resolve_name (c->name) == __NR_SCMP_ERROR)
    /* runc ignores a call libseccomp does not know, so its arguments are
     * never checked: its strictest answer, unconditionally, is as true as
     * any region and stays the same when the result is merged again (the
     * fuzzer found regions of "persOnality" that a second merge rewrote) */
    strictest_rules (c, def, rules);
  else if (all_unconditional (c, profs))
    {
      static const uint64_t none[MAX_SYSCALL_ARGS];
      size_t pos = act_pos (c, expected_answer (c, profs, n, none));
      if (c->acts[pos].value != def->value)
        hr_json_append (rules, rule_json (c->name, &c->acts[pos], NULL));
    }
  else if (conditional_rules (c, profs) > MAX_CONDITIONAL_RULES || !emit_regions (c, profs, n, def, rules))
    strictest_rules (c, def, rules);
  return rules;
}

/* ---- checking what libseccomp made of it -------------------------------- */

/* libseccomp 2.5's rule database can also drop a rule when two rules of a
 * call test the same comparison with opposite senses (seen: "EPERM when
 * a0 == 0 and a1 != 448" beside "ALLOW when a0 != 0 and a1 != 448": one of
 * them vanished, which one depending on the order of the rules).  So the
 * filter is built as runc builds it and run, here, on argument values at
 * and around every boundary the profiles name; a call whose filter
 * answers differently from the merge gets its strictest action for every
 * call instead. */

#define MAX_VALUES 600
#define MAX_VECTORS 20000

struct values
{
  uint64_t v[MAX_VALUES];
  size_t len;
  bool overflow;
};

static void
add_value (struct values *vs, uint64_t v)
{
  for (size_t i = 0; i < vs->len; i++)
    if (vs->v[i] == v)
      return;
  if (vs->len == MAX_VALUES)
    vs->overflow = true;
  else
    vs->v[vs->len++] = v;
}

/* Values at and around the boundaries of one argument's sets. */
static void
lit_values (const struct lit *l, struct values *vs, uint64_t *bits)
{
  switch (l->kind)
    {
    case LIT_RANGE:
    case LIT_NE:
      for (int d = -1; d <= 1; d++)
        {
          add_value (vs, l->x + (uint64_t)(int64_t)d);
          if (l->kind == LIT_RANGE)
            add_value (vs, l->y + (uint64_t)(int64_t)d);
        }
      break;
    case LIT_MASK:
      *bits |= l->x;
      add_value (vs, l->y);
      add_value (vs, l->y | ~l->x);
      break;
    case LIT_ANY:
    default:
      break;
    }
}

static void
dnf_values (const struct dnf *d, size_t arg, struct values *vs, uint64_t *bits)
{
  for (size_t i = 0; i < d->len; i++)
    lit_values (&d->t[i].arg[arg], vs, bits);
}

/* Every pattern of the masked bits (when they are few), with the other
 * bits all clear and all set. */
static void
bit_values (uint64_t bits, struct values *vs)
{
  unsigned pos[64], n = 0;

  for (unsigned b = 0; b < 64; b++)
    if (bits & (1ULL << b))
      pos[n++] = b;
  if (n > 8)
    {
      for (unsigned i = 0; i < n; i++)
        add_value (vs, 1ULL << pos[i]), add_value (vs, ~(1ULL << pos[i]));
      return;
    }
  for (uint64_t pattern = 0; pattern < (1ULL << n); pattern++)
    {
      uint64_t v = 0;
      for (unsigned i = 0; i < n; i++)
        if (pattern & (1ULL << i))
          v |= 1ULL << pos[i];
      add_value (vs, v);
      add_value (vs, v | ~bits);
    }
}

static void
call_values (const struct call *c, const struct prof *profs, size_t arg, struct values *vs)
{
  uint64_t bits = 0;

  vs->len = 0;
  vs->overflow = false;
  add_value (vs, 0);
  for (size_t i = 0; i < c->n; i++)
    dnf_values (&profs[c->m[i].prof].rules[c->m[i].rule].cond, arg, vs, &bits);
  if (vs->len == 1)
    return; /* no condition looks at this argument */
  add_value (vs, UINT64_MAX);
  bit_values (bits, vs);
}

/* Runs the filter on every combination of the interesting values; false
 * on a difference, or when there are too many to try. */
static bool
call_checks_out (const struct call *c, const struct prof *profs, size_t n, const struct hr_seccomp_sim *sim, int nr,
                 size_t *budget)
{
  struct values vals[MAX_SYSCALL_ARGS];
  size_t idx[MAX_SYSCALL_ARGS] = { 0 }, total = 1;
  struct seccomp_data data;

  for (size_t a = 0; a < MAX_SYSCALL_ARGS; a++)
    {
      call_values (c, profs, a, &vals[a]);
      if (vals[a].overflow || (total *= vals[a].len) > MAX_VECTORS)
        return false;
    }
  if (total * sim->len > *budget)
    return false;
  *budget -= total * sim->len;
  memset (&data, 0, sizeof data);
  data.nr = nr;
  data.arch = seccomp_arch_native ();
  for (size_t done = 0; done < total; done++)
    {
      for (size_t a = 0; a < MAX_SYSCALL_ARGS; a++)
        data.args[a] = vals[a].v[idx[a]];
      if (hr_seccomp_sim_run (sim, &data) != expected_answer (c, profs, n, (const uint64_t *)data.args))
        return false;
      for (size_t a = 0; a < MAX_SYSCALL_ARGS && ++idx[a] == vals[a].len; a++)
        idx[a] = 0;
    }
  return true;
}

static bool
has_conditions (const struct hr_json *rules)
{
  for (size_t i = 0; rules && i < rules->len; i++)
    if (hr_json_get_value (rules->items[i], "args") != NULL)
      return true;
  return false;
}

/* ---- the whole profile --------------------------------------------------- */

static struct mention *
mentions_of (const struct prof *profs, size_t n, size_t *count)
{
  struct mention *m = NULL;
  size_t len = 0, cap = 0;

  for (size_t p = 0; p < n; p++)
    {
      const struct hr_json *syscalls = hr_json_get_value (profs[p].json, "syscalls");
      for (size_t r = 0; syscalls && r < syscalls->len; r++)
        {
          const struct hr_json *names = hr_json_get_value (syscalls->items[r], "names");
          for (size_t i = 0; names && i < names->len; i++)
            {
              if (len == cap)
                m = xrealloc (m, (cap = cap ? cap * 2 : 256) * sizeof *m);
              m[len++] = (struct mention){ names->items[i]->text, p, r };
            }
        }
    }
  /* clone3 always gets its rule */
  if (len == cap)
    m = xrealloc (m, (cap + 1) * sizeof *m);
  m[len++] = (struct mention){ "clone3", SIZE_MAX, 0 };
  qsort (m, len, sizeof *m, mention_cmp);
  *count = len;
  return m;
}

/* Unconditional rules of the same action share one rule: groups[] holds
 * one rule per action seen so far. */
struct groups
{
  struct hr_json *rule[16];
  size_t len;
};

static bool
same_action (const struct hr_json *a, const struct hr_json *b)
{
  return hr_json_equal (hr_json_get (a, "action"), hr_json_get (b, "action"))
         && hr_json_equal (hr_json_get (a, "errnoRet"), hr_json_get (b, "errnoRet"));
}

static void
append_rules (struct hr_json *syscalls, struct groups *g, const struct hr_json *rules)
{
  for (size_t i = 0; i < rules->len; i++)
    {
      const struct hr_json *r = rules->items[i];
      struct hr_json *copy;
      size_t k = 0;

      if (hr_json_get (r, "args") == NULL)
        for (k = 0; k < g->len && !same_action (g->rule[k], r); k++)
          ;
      if (hr_json_get (r, "args") == NULL && k < g->len)
        {
          hr_json_append (hr_json_get (g->rule[k], "names"), hr_json_clone (hr_json_get (r, "names")->items[0]));
          continue;
        }
      copy = hr_json_clone (r);
      hr_json_append (syscalls, copy);
      if (hr_json_get (r, "args") == NULL && g->len < HR_ARRAY_SIZE (g->rule))
        g->rule[g->len++] = copy;
    }
}

static struct act
strictest_default (const struct prof *profs, size_t n)
{
  struct act def = profs[0].def;

  for (size_t p = 1; p < n; p++)
    if (act_cmp (&profs[p].def, &def) < 0)
      def = profs[p].def;
  return def;
}

/* The profile's other members: the first profile's, then what later ones
 * add. */
static void
copy_members (struct hr_json *out, const struct prof *profs, size_t n)
{
  static const char *const own[] = { "defaultAction", "defaultErrnoRet", "syscalls", NULL };

  for (size_t p = 0; p < n; p++)
    for (size_t i = 0; i < profs[p].json->len; i++)
      {
        const char *key = profs[p].json->members[i].key;
        bool skip = hr_json_get_value (out, key) != NULL;
        for (size_t k = 0; own[k] && !skip; k++)
          skip = hr_json_key_matches (key, own[k]);
        if (!skip)
          hr_json_set (out, key, hr_json_clone (profs[p].json->members[i].value));
      }
}

/* The call whose mentions start at m[i], for the first n profiles; returns
 * where the next call's start. */
static size_t
call_at (const struct mention *m, size_t count, size_t i, size_t n, struct call *c)
{
  size_t j = i;

  memset (c, 0, sizeof *c);
  c->name = m[i].name;
  c->m = &m[i];
  while (j < count && strcmp (m[j].name, c->name) == 0)
    j++;
  c->n = j - i;
  /* the clone3 placeholder, and mentions of profiles not given, are not rules */
  while (c->n > 0 && c->m[c->n - 1].prof >= n)
    c->n--;
  return j;
}

/* Every call's rules, for the profiles given, at the index of its first
 * mention. */
static struct hr_json **
all_call_rules (const struct prof *profs, size_t n, const struct act *def, struct mention *m, size_t count,
                bool clone3_enosys)
{
  struct hr_json **out = xcalloc (count + 1, sizeof *out);
  struct call c;

  for (size_t i = 0; i < count; i = call_at (m, count, i, n, &c))
    {
      call_at (m, count, i, n, &c);
      out[i] = call_rules (&c, profs, n, def, clone3_enosys);
    }
  return out;
}

static void
free_call_rules (struct hr_json **rules, size_t count)
{
  for (size_t i = 0; rules && i < count; i++)
    hr_json_free (rules[i]);
  free (rules);
}

static struct hr_json *
assemble (const struct prof *profs, size_t n, const struct act *def, struct hr_json **rules, size_t count)
{
  struct hr_json *out = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *syscalls = hr_json_new (HR_JSON_ARRAY);

  hr_json_set (out, "defaultAction", hr_json_new_string (def->name));
  if (has_errno (def->value))
    hr_json_set (out, "defaultErrnoRet", hr_json_new_int (def->value & 0xffff));
  copy_members (out, profs, n);
  struct groups groups = { .len = 0 };

  for (size_t i = 0; i < count; i++)
    if (rules[i])
      append_rules (syscalls, &groups, rules[i]);
  hr_json_set (out, "syscalls", syscalls);
  return out;
}

static struct hr_json *assemble (const struct prof *profs, size_t n, const struct act *def, struct hr_json **rules,
                                 size_t count);

static void
reverse_rules (struct hr_json *rules)
{
  for (size_t i = 0, k = rules->len; k-- > i + 1; i++)
    {
      struct hr_json *t = rules->items[i];
      rules->items[i] = rules->items[k];
      rules->items[k] = t;
    }
}

/* One pass over the calls with conditions; *redo when one was changed:
 * its rules are tried in the reverse order first (libseccomp's slip
 * depends on the order), then made strict. */
static int
check_pass (const struct prof *profs, size_t n, const struct act *def, struct mention *m, size_t count,
            struct hr_json **rules, unsigned char *tries, const struct hr_json *profile, size_t *budget, bool *redo,
            hr_error_t *err)
{
  struct hr_seccomp_sim sim = { 0 };
  struct call c;

  *redo = false;
  if (hr_seccomp_sim_load (profile, &sim, err) < 0)
    {
      hr_seccomp_sim_clear (&sim);
      return -1;
    }

  for (size_t i = 0; i < count; i = call_at (m, count, i, n, &c))
    {
      int nr;

      call_at (m, count, i, n, &c);
      nr = seccomp_syscall_resolve_name (c.name);
      if (!has_conditions (rules[i]) || nr == __NR_SCMP_ERROR)
        continue; /* runc ignores calls libseccomp does not know */
      collect_acts (&c, profs, n);
      if (!call_checks_out (&c, profs, n, &sim, nr, budget))
        {
          if (tries[i]++ == 0)
            reverse_rules (rules[i]);
          else
            strictest_rules (&c, def, rules[i]);
          *redo = true;
        }
    }
  hr_seccomp_sim_clear (&sim);
  return 0;
}

/* The profile's calls that have conditions, alone: libseccomp builds each
 * call's tree apart from the others', and a small filter is quick to
 * build and to run. */
static struct hr_json *
conditional_part (const struct hr_json *profile, struct hr_json **rules, size_t count)
{
  struct hr_json *part = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *syscalls = hr_json_new (HR_JSON_ARRAY);

  hr_json_set (part, "defaultAction", hr_json_clone (hr_json_get (profile, "defaultAction")));
  if (hr_json_get (profile, "defaultErrnoRet"))
    hr_json_set (part, "defaultErrnoRet", hr_json_clone (hr_json_get (profile, "defaultErrnoRet")));
  for (size_t i = 0; i < count; i++)
    if (has_conditions (rules[i]))
      for (size_t k = 0; k < rules[i]->len; k++)
        hr_json_append (syscalls, hr_json_clone (rules[i]->items[k]));
  hr_json_set (part, "syscalls", syscalls);
  return part;
}

/* The filter libseccomp builds from *out answers as the merge says, or
 * the calls where it does not are made strict (and *out rebuilt). */
static int
check_filter (const struct prof *profs, size_t n, const struct act *def, struct mention *m, size_t count,
              struct hr_json **rules, struct hr_json **out, hr_error_t *err)
{
  cleanup_free unsigned char *tries = xcalloc (count + 1, 1);
  size_t budget = CHECK_BUDGET;

  for (int round = 0; round < 3; round++)
    {
      cleanup_json struct hr_json *part = conditional_part (*out, rules, count);
      bool redo;

      if (check_pass (profs, n, def, m, count, rules, tries, part, &budget, &redo, err) < 0)
        return -1;
      if (!redo)
        return 0;
      hr_json_free (*out);
      *out = assemble (profs, n, def, rules, count);
    }
  return hr_error_set (err, 0, "linux.seccomp: the merged profile does not compile to what it means");
}

/* The calls whose rules differ between the merge and the first profile
 * alone (every call, when the default differs). */
static void
list_changes (const struct prof *profs, const struct act *def, struct hr_json **merged, struct mention *m, size_t count,
              struct hr_strv *changed)
{
  struct act first_def = profs[0].def;
  struct call c;

  for (size_t i = 0; i < count; i = call_at (m, count, i, 1, &c))
    {
      bool differs = first_def.value != def->value;

      call_at (m, count, i, 1, &c);
      if (!differs && c.n == 0)
        differs = merged[i]->len > 0; /* alone, the first profile has no rule for it */
      else if (!differs)
        {
          cleanup_json struct hr_json *alone = call_rules (&c, profs, 1, &first_def, false);
          differs = !hr_json_equal (merged[i], alone);
        }
      if (differs)
        hr_strv_push (changed, m[i].name);
    }
}

static bool
notifies (const struct prof *p)
{
  for (size_t i = 0; i < p->n_rules; i++)
    if (precedence (p->rules[i].act.value) == precedence (SCMP_ACT_NOTIFY))
      return true;
  return precedence (p->def.value) == precedence (SCMP_ACT_NOTIFY);
}

static const char *
listener_of (const struct prof *p)
{
  const struct hr_json *v = hr_json_get_value (p->json, "listenerPath");
  return hr_json_is_string (v) ? v->text : "";
}

/* One filter has one listener: the first profile's (or else the first
 * that names one) answers every notify rule.  A later profile whose notify
 * rules would reach another agent than its own is refused, rather than let
 * that agent decide its calls. */
static int
check_listeners (const struct prof *profs, size_t n, hr_error_t *err)
{
  const char *listener = "";

  for (size_t p = 0; p < n && listener[0] == '\0'; p++)
    listener = listener_of (&profs[p]);
  for (size_t p = 1; p < n; p++)
    if (notifies (&profs[p]) && strcmp (listener_of (&profs[p]), listener) != 0)
      return hr_error_set (err, 0,
                           "seccomp: a profile's notify rules would be answered by the listener \"%s\", not its "
                           "own \"%s\"",
                           listener, listener_of (&profs[p]));
  return 0;
}

struct hr_json *
hr_seccomp_merge (const struct hr_json *const *profiles, size_t n, struct hr_strv *changed, hr_error_t *err)
{
  struct prof profs[8];
  size_t np = 0, count = 0;
  struct mention *m = NULL;
  struct hr_json **rules = NULL;
  struct hr_json *out = NULL;
  struct act def;

  for (size_t i = 0; i < n && np < HR_ARRAY_SIZE (profs); i++)
    {
      if (profiles[i] == NULL)
        continue;
      if (parse_profile (profiles[i], np, &profs[np], err) < 0)
        {
          prof_clear (&profs[np]);
          goto out;
        }
      np++;
    }
  if (np == 0)
    return hr_error_set (err, 0, "no seccomp profile to merge"), NULL;
  if (check_listeners (profs, np, err) < 0)
    goto out;
  def = strictest_default (profs, np);
  m = mentions_of (profs, np, &count);
  rules = all_call_rules (profs, np, &def, m, count, true);
  out = assemble (profs, np, &def, rules, count);
  if (check_filter (profs, np, &def, m, count, rules, &out, err) < 0)
    {
      hr_json_free (out);
      out = NULL;
      goto out;
    }
  if (changed)
    list_changes (profs, &def, rules, m, count, changed);
out:
  free_call_rules (rules, count);
  free (m);
  for (size_t i = 0; i < np; i++)
    prof_clear (&profs[i]);
  return out;
}
