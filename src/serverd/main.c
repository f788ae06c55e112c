/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <crypt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "suda-certificate.h"
#include "suda-server.h"

static gboolean
on_quit_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

/* SIGHUP: the log is reopened (logrotate) and the config file read again. */
static gboolean
on_hangup (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *restart = NULL;

  suda_server_reopen_log (data);
  if (!suda_server_rehash (data, &restart, &error))
    {
      /* Started without --config: SIGHUP only reopens the log. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_printerr (_("suda-serverd: the config file was not read again: %s\n"), error->message);
    }
  else if (restart)
    g_printerr (_("suda-serverd: these settings take effect after a restart: %s\n"), restart);
  return G_SOURCE_CONTINUE;
}

/* With TLS: where, and the certificate's fingerprint (on stderr too, so
 * that it reaches the journal) for an operator to tell clients. */
static void
print_tls (SudaServer *server)
{
  g_autofree char *address = suda_server_dup_tls_address (server);
  g_autofree char *pretty = NULL;

  if (address == NULL)
    return;
  /* TRANSLATORS: scripts read this line; keep "TLS listening on" as it is */
  g_print ("TLS listening on %s\n", address);
  pretty = suda_certificate_format_fingerprint (suda_server_get_tls_fingerprint (server));
  if (suda_server_get_tls_self_signed (server))
    g_printerr (_("suda-serverd: TLS certificate (self-signed) SHA-256 fingerprint: %s\n"), pretty);
  else
    g_printerr (_("suda-serverd: TLS certificate SHA-256 fingerprint: %s\n"), pretty);
}

/* Reads a password from standard input (without echo on a terminal) and
 * prints its crypt(3) hash for the [operators] group. */
static int
hash_password (void)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  char line[512];
  g_autofree char *salt = NULL;
  struct crypt_data data = { 0 };
  const char *hash;

  if (tty)
    {
      fprintf (stderr, "%s", _("Password: "));
      quiet = saved;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
    }
  if (fgets (line, sizeof line, stdin) == NULL)
    line[0] = '\0';
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved);
      fprintf (stderr, "\n");
    }
  line[strcspn (line, "\r\n")] = '\0';
  if (line[0] == '\0')
    {
      g_printerr ("%s\n", _("No password given."));
      return 1;
    }
  salt = crypt_gensalt_ra (NULL, 0, NULL, 0);
  hash = salt ? crypt_r (line, salt, &data) : NULL;
  if (hash == NULL || hash[0] == '*')
    {
      g_printerr ("%s\n", _("Could not hash the password."));
      return 1;
    }
  g_print ("%s\n", hash);
  return 0;
}

/* Unknown groups and keys do not stop the start, but are worth a look. */
static void
print_config_warnings (const SudaServerConfig *config,
                       const char             *config_path)
{
  for (guint i = 0; i < config->warnings->len; i++)
    g_printerr (_("suda-serverd: warning: %s: %s\n"), config_path,
                (const char *) g_ptr_array_index (config->warnings, i));
}

/* The log keeps the config's warnings beside the start they belong to. */
static void
log_config_warnings (SudaServer             *server,
                     const SudaServerConfig *config)
{
  for (guint i = 0; i < config->warnings->len; i++)
    {
      g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "error", NULL, NULL,
                                                          g_ptr_array_index (config->warnings, i));

      suda_log_entry_set_field (entry, "source", "config");
      suda_server_log (server, entry);
    }
}

static void
replace_if_set (char **setting,
                char **flag)
{
  if (*flag == NULL)
    return;
  g_free (*setting);
  *setting = g_steal_pointer (flag);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *password = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *web_url = NULL;
  g_autoptr(GPtrArray) pinned = NULL;
  int port = -1, max_clients = -1;
  gboolean version = FALSE, hash = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, N_("Read settings from FILE"), N_("FILE") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, N_("Listen on ADDR (default: every interface)"), N_("ADDR") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("Listen on port N (default 6667; 0 picks a free port)"), N_("N") },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &log_path, N_("Write the JSON Lines log to FILE"), N_("FILE") },
    { "max-clients", 0, 0, G_OPTION_ARG_INT, &max_clients, N_("Accept at most N connections (default 100)"), N_("N") },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, N_("Require the server password PASS"), N_("PASS") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The server's name, as clients see it"), N_("NAME") },
    { "hash-password", 0, 0, G_OPTION_ARG_NONE, &hash, N_("Read a password and print its hash for [operators]"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  /* TLS 1.2 and later only, refused in the handshake itself: glib-networking
   * reads this once, before any thread exists; the server core drops what
   * gets through all the same.  An operator's own setting wins. */
  g_setenv ("G_TLS_GNUTLS_PRIORITY", "NORMAL:%COMPAT:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1", FALSE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SUDA_LOCALEDIR") ? g_getenv ("SUDA_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Suda chat server (IRC protocol), without a window."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("suda-serverd: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("suda-serverd %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (hash)
    return hash_password ();

  if (config_path && !suda_server_config_load_file (config, config_path, &error))
    {
      g_printerr (_("suda-serverd: cannot read %s: %s\n"), config_path, error->message);
      return 2;
    }
  print_config_warnings (config, config_path);
  if (port != -1)
    {
      if (port < 0 || port > 65535)
        {
          g_printerr (_("suda-serverd: %d is not a port (0 to 65535)\n"), port);
          return 2;
        }
      config->port = port;
    }
  if (max_clients != -1)
    {
      if (max_clients < 1)
        {
          g_printerr (_("suda-serverd: --max-clients must be at least 1\n"));
          return 2;
        }
      config->max_clients = max_clients;
    }
  pinned = g_ptr_array_new ();
  if (port != -1)
    g_ptr_array_add (pinned, "[server] port");
  if (max_clients != -1)
    g_ptr_array_add (pinned, "[server] max-clients");
  if (listen)
    g_ptr_array_add (pinned, "[server] listen");
  if (log_path)
    g_ptr_array_add (pinned, "[log] file");
  if (password)
    g_ptr_array_add (pinned, "[server] password");
  if (name)
    g_ptr_array_add (pinned, "[server] name");
  g_ptr_array_add (pinned, NULL);
  replace_if_set (&config->listen_address, &listen);
  replace_if_set (&config->log_path, &log_path);
  replace_if_set (&config->password, &password);
  replace_if_set (&config->server_name, &name);

  /* Past a file-size limit (ulimit -f) the log fails like a full disk and
   * chat goes on, rather than the whole server being killed. */
  signal (SIGXFSZ, SIG_IGN);
  server = suda_server_new (config);
  if (config_path)
    suda_server_set_config_file (server, config_path, (const char * const *) pinned->pdata);
  if (!suda_server_start (server, &error))
    {
      g_printerr (_("suda-serverd: cannot listen on port %u: %s\n"), config->port, error->message);
      return 1;
    }

  log_config_warnings (server, config);
  address = suda_server_dup_address (server);
  /* TRANSLATORS: scripts read this line; keep "listening on" as it is */
  if (address != NULL)
    g_print ("listening on %s\n", address);
  print_tls (server);
  web_url = suda_server_dup_web_url (server);
  /* scripts read this line too: "web page at http://ADDRESS:PORT/" */
  if (web_url != NULL)
    g_print ("web page at %s\n", web_url);
  g_print (_("log: %s\n"), suda_server_get_log_path (server) ? suda_server_get_log_path (server) : _("(none)"));
  /* Standard output stays the two lines scripts read; the log has it too. */
  if (suda_server_get_accounts_problem (server))
    g_printerr ("suda-serverd: %s\n", suda_server_get_accounts_problem (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_unix_signal_add (SIGHUP, on_hangup, server);
  g_main_loop_run (loop);

  /* Stopping returns at once; the last words leave as clients read them,
   * a second at most. */
  suda_server_stop (server, _("Server shutting down"));
  while (suda_server_get_running (server))
    g_main_context_iteration (NULL, TRUE);
  g_print ("%s\n", _("stopped"));
  return 0;
}
