/* SPDX-License-Identifier: GPL-3.0-or-later */
/* draft/read-marker kept across restarts, per account (or nick): one small JSON file in the state
 * folder, named after the server's log (or port), rewritten whole, and
 * only a while after markers moved or when the server stops. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "suda-irc-message.h"
#include "suda-log-entry.h"
#include "suda-log-reader.h"
#include "suda-server-private.h"

#define MARKERS_VERSION 1

/* "chat.jsonl" → STATE/chat.read-markers.json; with no log, the port (NULL
 * when that is 0: a port picked anew at each start names nothing). */
char *
_suda_read_markers_dup_path (const SudaServerConfig *config)
{
  g_autofree char *state_dir = suda_server_config_dup_state_dir (config);
  g_autofree char *log_path = suda_server_config_dup_log_path (config);
  g_autofree char *name = NULL;

  if (*log_path != '\0')
    {
      g_autofree char *base = g_path_get_basename (log_path);
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
      name = g_strconcat (base, ".read-markers.json", NULL);
    }
  else if (config->port != 0)
    name = g_strdup_printf ("read-markers-%u.json", config->port);
  else
    return NULL;
  return g_build_filename (state_dir, name, NULL);
}

/* Whose markers a session moves and reads: its account when it is logged
 * in to one, so every client of the person shares them; its nick
 * otherwise.  A registered nick is its account's, so the two do not mix. */
const char *
_suda_read_markers_owner (const char *account,
                          const char *nick)
{
  return account != NULL && *account != '\0' ? account : nick;
}

GHashTable *
_suda_read_markers_new_table (void)
{
  return g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                g_free, (GDestroyNotify) g_hash_table_unref);
}

static void
add_owner (JsonObject  *object,
           const char  *owner,
           JsonNode    *node,
           gpointer     data)
{
  GHashTable *markers = data;
  JsonObject *targets = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  g_autoptr(GList) names = targets ? json_object_get_members (targets) : NULL;

  for (GList *l = names; l; l = l->next)
    {
      const char *text = json_object_get_string_member_with_default (targets, l->data, "");
      gint64 time;

      if (suda_log_parse_time (text, &time))
        _suda_read_markers_set (markers, owner, l->data, time);
    }
  (void) object;
}

/* Whatever MARKERS lacks or has older from the file at PATH; a missing or
 * unreadable file adds nothing (markers are a convenience, not data). */
void
_suda_read_markers_load (GHashTable *markers,
                         const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *object;

  if (!json_parser_load_from_file (parser, path, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_message ("Cannot read the read markers in %s: %s", path, error->message);
      return;
    }
  root = json_parser_get_root (parser);
  object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object == NULL || json_object_get_int_member_with_default (object, "version", 0) != MARKERS_VERSION ||
      !json_object_has_member (object, "markers") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "markers")))
    {
      g_message ("%s holds no read markers", path);
      return;
    }
  json_object_foreach_member (json_object_get_object_member (object, "markers"), add_owner, markers);
}

static JsonNode *
build (GHashTable *markers)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GHashTableIter owners;
  gpointer owner, targets;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, MARKERS_VERSION);
  json_builder_set_member_name (builder, "markers");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&owners, markers);
  while (g_hash_table_iter_next (&owners, &owner, &targets))
    {
      GHashTableIter iter;
      gpointer target, time;

      json_builder_set_member_name (builder, owner);
      json_builder_begin_object (builder);
      g_hash_table_iter_init (&iter, targets);
      while (g_hash_table_iter_next (&iter, &target, &time))
        {
          g_autofree char *text = suda_log_format_time (*(gint64 *) time);

          json_builder_set_member_name (builder, target);
          json_builder_add_string_value (builder, text);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The whole file anew, through a rename, so a crash leaves the old one. */
gboolean
_suda_read_markers_save (GHashTable  *markers,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(JsonNode) root = build (markers);
  g_autofree char *text = json_to_string (root, FALSE);
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gint64
_suda_read_markers_get (GHashTable *markers,
                        const char *owner,
                        const char *target)
{
  GHashTable *targets = g_hash_table_lookup (markers, owner);
  gint64 *time = targets ? g_hash_table_lookup (targets, target) : NULL;

  return time ? *time : 0;
}

/* Markers only move forward: FALSE when TIME is not past the one kept. */
gboolean
_suda_read_markers_set (GHashTable *markers,
                        const char *owner,
                        const char *target,
                        gint64      time)
{
  GHashTable *targets = g_hash_table_lookup (markers, owner);
  gint64 *kept;

  if (targets == NULL)
    {
      targets = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal, g_free, g_free);
      g_hash_table_insert (markers, g_strdup (owner), targets);
    }
  kept = g_hash_table_lookup (targets, target);
  if (kept && *kept >= time)
    return FALSE;
  if (kept == NULL)
    {
      kept = g_new (gint64, 1);
      g_hash_table_insert (targets, g_strdup (target), kept);
    }
  *kept = time;
  return TRUE;
}
