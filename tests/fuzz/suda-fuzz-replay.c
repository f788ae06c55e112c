/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs a fuzz target's LLVMFuzzerTestOneInput over every file of the
 * corpus folders (or files) given, the way libFuzzer replays a corpus, so
 * a build without libFuzzer (gcc, the sanitizer build) checks it too.
 * Prints TAP: one test per input. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
collect (const char *path,
         GPtrArray  *files)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  /* Sorted, so a failure names the same input on every run. */
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    collect (g_ptr_array_index (names, i), files);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    if (argv[i][0] != '-')   /* meson's --tap and the like */
      collect (argv[i], files);
  if (files->len == 0)
    {
      fprintf (stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
      return 2;
    }

  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      gsize len;

      if (!g_file_get_contents (path, &data, &len, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 1, path, error->message);
          return 1;
        }
      /* A crash or a failed assertion ends the run here, naming the input. */
      fprintf (stderr, "replaying %s\n", path);
      LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
      printf ("ok %u - %s\n", i + 1, path);
      fflush (stdout);
    }
  return 0;
}
