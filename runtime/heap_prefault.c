/* SPDX-License-Identifier: Apache-2.0 */
/* See heap_prefault.h.  A create reads the policy, the spec (three trees:
 * the parse, Go's decode, the result) and the rules' own work: about 400
 * KiB of heap, touched page by page.  Each first touch is a page fault,
 * and where faults are dear (a VM whose guest page tables are shadowed:
 * 13 us a fault measured on the benchmark machine, against 4 us a page
 * populated in one madvise), those faults were a tenth of hardrun's
 * create.  The block is allocated from the heap (not mmap), populated,
 * and freed back to malloc, which keeps it for the allocations to come. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap_prefault.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

void
hr_heap_prefault (size_t bytes)
{
  uintptr_t page = (uintptr_t)sysconf (_SC_PAGESIZE), first, end;
  void *block;

  /* from the heap, and kept there once freed */
  mallopt (M_MMAP_THRESHOLD, (int)(bytes * 2));
  mallopt (M_TRIM_THRESHOLD, (int)(bytes * 2));
  block = malloc (bytes);
  if (block == NULL)
    return;
  first = ((uintptr_t)block + page - 1) & ~(page - 1);
  end = ((uintptr_t)block + bytes) & ~(page - 1);
  if (end > first)
    (void)madvise ((void *)first, end - first, MADV_POPULATE_WRITE);
  free (block);
}
