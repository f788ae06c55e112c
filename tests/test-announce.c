/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Announcing the server on the local network and finding it from the
 * client's side, with a real Avahi daemon in a network namespace of the
 * test's own (run-in-avahi-netns.sh; it sets SUDA_TEST_AVAHI to
 * "running", or "absent" with --no-daemon, and SUDA_TEST_AVAHI_CONF). */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "suda-lan-browser.h"
#include "suda-server-private.h"
#include "suda-test-util.h"

typedef struct {
  SudaServer *server;
  GPtrArray  *entries;
  char       *dir;
} Announced;

static void
collect_entry (SudaServer   *server,
               SudaLogEntry *entry,
               GPtrArray    *entries)
{
  g_ptr_array_add (entries, g_object_ref (entry));
}

/* A server on 127.0.0.1 with [server] KEY=VALUE pairs (NULL-ended),
 * its log entries collected from the very start. */
static void
announced_start (Announced  *self,
                 gboolean    tls,
                 ...)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GError) error = NULL;
  const char *key;
  va_list args;

  self->dir = suda_test_make_tmpdir ();
  self->entries = g_ptr_array_new_with_free_func (g_object_unref);
  suda_server_config_set_value (config, "server", "listen", "127.0.0.1", NULL);
  suda_server_config_set_value (config, "server", "port", "0", NULL);
  suda_server_config_set_value (config, "server", "state-dir", self->dir, NULL);
  config->log_path = g_build_filename (self->dir, "server.jsonl", NULL);
  va_start (args, tls);
  while ((key = va_arg (args, const char *)) != NULL)
    suda_server_config_set_value (config, "server", key, va_arg (args, const char *), NULL);
  va_end (args);
  self->server = suda_server_new (config);
  g_signal_connect (self->server, "log-entry", G_CALLBACK (collect_entry), self->entries);
  if (tls)
    _suda_server_set_tls_any_port (self->server);
  suda_server_start (self->server, &error);
  g_assert_no_error (error);
  while (_suda_server_is_loading_history (self->server))
    g_main_context_iteration (NULL, TRUE);
}

static void
announced_stop (Announced *self)
{
  g_clear_object (&self->server);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->dir, g_free);
}

static guint
count_entries (Announced  *self,
               const char *text)
{
  guint n = 0;

  for (guint i = 0; i < self->entries->len; i++)
    if (strstr (suda_log_entry_get_text (g_ptr_array_index (self->entries, i)), text) != NULL)
      n++;
  return n;
}

typedef struct {
  SudaLanBrowser *browser;
  const char     *name;
} Lookup;

static SudaLanChat *
find_chat (SudaLanBrowser *browser,
           const char     *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (browser));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaLanChat) chat = g_list_model_get_item (G_LIST_MODEL (browser), i);

      if (g_str_equal (suda_lan_chat_get_name (chat), name))
        return chat;
    }
  return NULL;
}

static gboolean
chat_listed (gpointer data)
{
  Lookup *lookup = data;

  return find_chat (lookup->browser, lookup->name) != NULL;
}

static gboolean
chat_gone (gpointer data)
{
  return !chat_listed (data);
}

/* Seen with both its ports, when TLS is on: both services are in. */
static gboolean
chat_complete (gpointer data)
{
  Lookup *lookup = data;
  SudaLanChat *chat = find_chat (lookup->browser, lookup->name);

  return chat != NULL && suda_lan_chat_get_port (chat) != 0 && suda_lan_chat_get_tls_port (chat) != 0;
}

static gboolean
browser_settled (gpointer data)
{
  return suda_lan_browser_get_settled (data);
}

static gboolean
browser_available (gpointer data)
{
  return suda_lan_browser_get_available (data);
}

/* A publish reaches a running browser in about a second: a few allow
 * for a busy machine. */
#define SEEN_MS 10000

/* The teacher's server as a student's client finds it: its name, where
 * it listens, the room, that it wants a password, the self-signed
 * certificate's fingerprint; gone from the list once it stops. */
static void
test_seen_with_name_port_and_txt (void)
{
  g_autoptr(SudaLanBrowser) browser = suda_lan_browser_new ();
  Lookup lookup = { browser, "Kim's class chat" };
  Announced kim = { 0 };
  SudaLanChat *chat;
  g_autofree char *uri = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (suda_test_wait_until (browser_available, browser, 5000));
  announced_start (&kim, TRUE, "announce", "true", "announce-name", "Kim's class chat",
                   "default-channel", "#class", "password", "chalk", NULL);
  g_assert_true (suda_test_wait_until (chat_complete, &lookup, SEEN_MS));
  chat = find_chat (browser, "Kim's class chat");
  g_assert_cmpstr (suda_lan_chat_get_host (chat), ==, "127.0.0.1");
  g_assert_cmpuint (suda_lan_chat_get_port (chat), ==, suda_server_get_port (kim.server));
  g_assert_cmpuint (suda_lan_chat_get_tls_port (chat), ==, suda_server_get_tls_port (kim.server));
  g_assert_cmpstr (suda_lan_chat_get_room (chat), ==, "#class");
  g_assert_true (suda_lan_chat_get_password (chat));
  g_assert_cmpstr (suda_lan_chat_get_fingerprint (chat), ==, suda_server_get_tls_fingerprint (kim.server));
  uri = suda_lan_chat_dup_uri (chat);
  expected = g_strdup_printf ("ircs://127.0.0.1:%u/#class", suda_server_get_tls_port (kim.server));
  g_assert_cmpstr (uri, ==, expected);
  g_assert_cmpuint (count_entries (&kim, "Announced on the local network as “Kim's class chat”"), ==, 1);
  g_assert_cmpstr (_suda_listeners_get_announced_name (kim.server), ==, "Kim's class chat");

  suda_server_stop (kim.server, NULL);
  g_assert_true (suda_test_wait_until (chat_gone, &lookup, SEEN_MS));
  announced_stop (&kim);
}

/* [server] announce= is off unless set (the daemon's default): a server
 * left at the default is not in the list, while one beside it that
 * announces is, and a browser that has heard everything has only it. */
static void
test_off_by_default (void)
{
  g_autoptr(SudaLanBrowser) browser = NULL;
  Lookup lookup = { NULL, "Loud chat" };
  Announced quiet = { 0 };
  Announced loud = { 0 };

  announced_start (&quiet, FALSE, "announce-name", "Quiet chat", NULL);
  announced_start (&loud, FALSE, "announce", "true", "announce-name", "Loud chat", NULL);
  browser = suda_lan_browser_new ();
  lookup.browser = browser;
  g_assert_true (suda_test_wait_until (chat_listed, &lookup, SEEN_MS));
  g_assert_true (suda_test_wait_until (browser_settled, browser, SEEN_MS));
  g_assert_null (find_chat (browser, "Quiet chat"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (browser)), ==, 1);
  g_assert_cmpuint (count_entries (&quiet, "local network"), ==, 0);
  g_assert_null (_suda_listeners_get_announced_name (quiet.server));
  announced_stop (&loud);
  announced_stop (&quiet);
}

/* Two teachers who picked the same name: the second chat takes another
 * (Avahi's "NAME #2") and both are listed. */
static void
test_name_collision (void)
{
  g_autoptr(SudaLanBrowser) browser = suda_lan_browser_new ();
  Lookup first = { browser, "Science" };
  Lookup second = { browser, "Science #2" };
  Announced one = { 0 };
  Announced two = { 0 };

  announced_start (&one, FALSE, "announce", "true", "announce-name", "Science", NULL);
  g_assert_true (suda_test_wait_until (chat_listed, &first, SEEN_MS));
  announced_start (&two, FALSE, "announce", "true", "announce-name", "Science", NULL);
  g_assert_true (suda_test_wait_until (chat_listed, &second, SEEN_MS));
  g_assert_cmpuint (suda_lan_chat_get_port (find_chat (browser, "Science #2")), ==,
                    suda_server_get_port (two.server));
  g_assert_cmpuint (suda_lan_chat_get_port (find_chat (browser, "Science")), ==,
                    suda_server_get_port (one.server));
  g_assert_cmpstr (_suda_listeners_get_announced_name (two.server), ==, "Science #2");
  announced_stop (&two);
  announced_stop (&one);
}

static gboolean
entry_logged (gpointer data)
{
  return count_entries (data, "Announced on the local network") > 0;
}

static GPid
start_daemon (void)
{
  const char *conf = g_getenv ("SUDA_TEST_AVAHI_CONF");
  g_autoptr(GError) error = NULL;
  GPid daemon = 0;

  g_assert_nonnull (conf);
  g_spawn_async (NULL, (char *[]) { "avahi-daemon", "-f", (char *) conf, "--no-drop-root",
                                    "--no-chroot", "--no-rlimits", NULL },
                 NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                       G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &daemon, &error);
  g_assert_no_error (error);
  return daemon;
}

static void
stop_daemon (GPid daemon)
{
  int status;

  kill (daemon, SIGTERM);
  g_assert_cmpint (waitpid (daemon, &status, 0), ==, daemon);
  g_spawn_close_pid (daemon);
}

static gboolean
browser_unavailable (gpointer data)
{
  return !suda_lan_browser_get_available (data);
}

static gboolean
announced_twice (gpointer data)
{
  return count_entries (data, "Announced on the local network") == 2;
}

/* No Avahi daemon: the server starts and says so once; the client's list
 * is unavailable and says why.  Once a daemon starts, both go on by
 * themselves: the chat is announced and found; a daemon that stops and
 * starts again (an upgrade, a crash) gets it again. */
static void
test_no_daemon_then_daemon (void)
{
  g_autoptr(SudaLanBrowser) browser = suda_lan_browser_new ();
  Lookup lookup = { browser, "Late chat" };
  Announced late = { 0 };
  GPid daemon;

  g_assert_false (suda_lan_browser_get_available (browser));
  g_assert_nonnull (strstr (suda_lan_browser_get_problem (browser), "Avahi"));
  announced_start (&late, FALSE, "announce", "true", "announce-name", "Late chat", NULL);
  g_assert_true (suda_server_get_running (late.server));
  g_assert_cmpuint (suda_server_get_port (late.server), >, 0);
  g_assert_cmpuint (count_entries (&late, "Avahi is not running"), ==, 1);
  g_assert_cmpuint (count_entries (&late, "local network"), ==, 1);

  daemon = start_daemon ();
  g_assert_true (suda_test_wait_until (browser_available, browser, SEEN_MS));
  g_assert_null (suda_lan_browser_get_problem (browser));
  g_assert_true (suda_test_wait_until (entry_logged, &late, SEEN_MS));
  g_assert_true (suda_test_wait_until (chat_listed, &lookup, SEEN_MS));
  g_assert_cmpuint (count_entries (&late, "Avahi is not running"), ==, 1);

  stop_daemon (daemon);
  g_assert_true (suda_test_wait_until (browser_unavailable, browser, SEEN_MS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (browser)), ==, 0);
  daemon = start_daemon ();
  g_assert_true (suda_test_wait_until (announced_twice, &late, SEEN_MS));
  g_assert_true (suda_test_wait_until (chat_listed, &lookup, SEEN_MS));
  g_assert_true (suda_server_get_running (late.server));
  announced_stop (&late);
  stop_daemon (daemon);
}

int
main (int    argc,
      char **argv)
{
  const char *avahi = g_getenv ("SUDA_TEST_AVAHI");

  g_test_init (&argc, &argv, NULL);
  if (g_strcmp0 (avahi, "running") == 0)
    {
      g_test_add_func ("/announce/seen-with-name-port-and-txt", test_seen_with_name_port_and_txt);
      g_test_add_func ("/announce/off-by-default", test_off_by_default);
      g_test_add_func ("/announce/name-collision", test_name_collision);
    }
  else if (g_strcmp0 (avahi, "absent") == 0)
    g_test_add_func ("/announce/no-daemon-then-daemon", test_no_daemon_then_daemon);
  else
    g_test_skip ("run through run-in-avahi-netns.sh");
  return g_test_run ();
}
