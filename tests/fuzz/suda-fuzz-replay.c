/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs a fuzz target over saved inputs without libFuzzer, so that any
 * compiler and the sanitizer build replay the corpus as a test:
 *
 *   fuzz-replay-NAME DIR-OR-FILE...
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static void
add_inputs (GPtrArray  *paths,
            const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (paths, g_strdup (path));
      return;
    }
  if (!(dir = g_dir_open (path, 0, NULL)))
    g_error ("cannot read %s", path);
  while ((name = g_dir_read_name (dir)))
    if (name[0] != '.')
      g_ptr_array_add (paths, g_build_filename (path, name, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s DIR-OR-FILE...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    add_inputs (paths, argv[i]);
  /* a fixed order, so a failure names the same input every run */
  g_ptr_array_sort (paths, compare_names);
  if (paths->len == 0)
    g_error ("no inputs in %s", argv[1]);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *data = NULL;
      gsize size;

      if (!g_file_get_contents (path, &data, &size, NULL))
        g_error ("cannot read %s", path);
      printf ("%s\n", path);
      fflush (stdout);
      LLVMFuzzerTestOneInput ((const uint8_t *) data, size);
    }
  printf ("replayed %u inputs\n", paths->len);
  return 0;
}
