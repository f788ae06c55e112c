/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client against the standard IRC servers people run: Debian's ngIRCd
 * and InspIRCd, each started on loopback ports with the config kept in
 * tests/ngircd.conf or tests/inspircd.conf.  Every test runs against
 * both. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "suda-certificate.h"
#include "suda-client.h"
#include "suda-test-util.h"
#include "suda-tls-self-signed.h"

/* What differs between the two servers. */
typedef struct {
  const char *name;
  const char *config;        /* the template in tests/ */
  const char *motd;          /* what its MOTD says */
  gboolean    echo_message;  /* offered as configured */
  const char *not_op;        /* part of its refusal of a kick by a non-operator */
  /* TLS: the config's words for a TLS port with this certificate. */
  char     *(*tls_config)   (const char *cert,
                             const char *key,
                             guint16     port);
  /* ARGV for running CONF in the foreground. */
  void      (*argv)         (const char *conf,
                             GStrvBuilder *argv);
} PeerKind;

typedef struct {
  const PeerKind *kind;
  GSubprocess    *process;
  char           *dir;
  guint16         port;
  guint16         tls_port;      /* 0 unless started with TLS */
  char           *cert_path;
} Peer;

static char *
ngircd_tls (const char *cert,
            const char *key,
            guint16     port)
{
  return g_strdup_printf ("\n[SSL]\n\tCertFile = %s\n\tKeyFile = %s\n\tPorts = %u\n", cert, key, port);
}

static void
ngircd_argv (const char   *conf,
             GStrvBuilder *argv)
{
  g_strv_builder_add_many (argv, "/usr/sbin/ngircd", "-n", "-f", conf, NULL);
}

static char *
inspircd_tls (const char *cert,
              const char *key,
              guint16     port)
{
  return g_strdup_printf ("<module name=\"ssl_gnutls\">\n"
                          "<sslprofile name=\"Clients\" provider=\"gnutls\" certfile=\"%s\" keyfile=\"%s\""
                          " hash=\"sha256\" requestclientcert=\"no\">\n"
                          "<bind address=\"127.0.0.1\" port=\"%u\" type=\"clients\" sslprofile=\"Clients\">\n",
                          cert, key, port);
}

/* InspIRCd refuses to run as root unless told; CI runs as root. */
static void
inspircd_argv (const char   *conf,
               GStrvBuilder *argv)
{
  g_autofree char *config = g_strconcat ("--config=", conf, NULL);

  g_strv_builder_add_many (argv, "/usr/sbin/inspircd", "--nofork", config, NULL);
  if (getuid () == 0)
    g_strv_builder_add (argv, "--runasroot");
}

static const PeerKind ngircd = {
  "ngircd", "ngircd.conf", "Welcome to the Suda test ngIRCd", FALSE,
  "Your privileges are too low", ngircd_tls, ngircd_argv,
};

static const PeerKind inspircd = {
  "inspircd", "inspircd.conf", "Welcome to the Suda test InspIRCd", TRUE,
  "You must be a channel op", inspircd_tls, inspircd_argv,
};

/* Both servers in Debian are built with GnuTLS: a certificate made here
 * gives each a TLS port. */
static char *
add_tls (Peer *self)
{
  g_autofree char *key_path = g_build_filename (self->dir, "server.key", NULL);
  g_autoptr(GError) error = NULL;

  self->cert_path = g_build_filename (self->dir, "server.crt", NULL);
  g_assert_true (suda_tls_create_self_signed (self->cert_path, key_path, "irc.test.local", &error));
  g_assert_no_error (error);
  self->tls_port = suda_test_free_port ();
  return self->kind->tls_config (self->cert_path, key_path, self->tls_port);
}

static Peer *
peer_start_full (const PeerKind *kind,
                 gboolean        tls)
{
  Peer *self = g_new0 (Peer, 1);
  g_autofree char *template_path = g_test_build_filename (G_TEST_DIST, kind->config, NULL);
  g_autofree char *template = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *pid_path = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *motd_path = NULL;
  g_autofree char *tls_text = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *out_path = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GString) conf = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  self->kind = kind;
  g_assert_true (g_file_get_contents (template_path, &template, NULL, &error));
  self->dir = suda_test_make_tmpdir ();
  self->port = suda_test_free_port ();
  port_text = g_strdup_printf ("%u", self->port);
  pid_path = g_build_filename (self->dir, "server.pid", NULL);
  motd_path = g_build_filename (self->dir, "motd.txt", NULL);
  g_assert_true (g_file_set_contents (motd_path, kind->motd, -1, NULL));
  tls_text = tls ? add_tls (self) : g_strdup ("");
  conf = g_string_new (template);
  g_string_replace (conf, "@PORT@", port_text, 0);
  g_string_replace (conf, "@PIDFILE@", pid_path, 0);
  g_string_replace (conf, "@DIR@", self->dir, 0);
  if (strstr (conf->str, "@TLS@") != NULL)
    g_string_replace (conf, "@TLS@", tls_text, 0);
  else
    g_string_append (conf, tls_text);
  conf_path = g_build_filename (self->dir, "server.conf", NULL);
  g_assert_true (g_file_set_contents (conf_path, conf->str, -1, &error));

  kind->argv (conf_path, builder);
  argv = g_strv_builder_end (builder);
  /* What it says goes to a file, read out if it does not start. */
  out_path = g_build_filename (self->dir, "output.txt", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!suda_test_port_accepts (self->port) ||
         (self->tls_port != 0 && !suda_test_port_accepts (self->tls_port)))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *output = NULL;

          g_file_get_contents (out_path, &output, NULL, NULL);
          g_error ("%s did not listen within 10 s; it said:\n%s", kind->name, output ? output : "nothing");
        }
      g_usleep (20000);
    }
  return self;
}

static Peer *
peer_start (const PeerKind *kind)
{
  return peer_start_full (kind, FALSE);
}

static void
peer_stop (Peer *self)
{
  g_subprocess_send_signal (self->process, SIGTERM);
  g_subprocess_wait (self->process, NULL, NULL);
  g_object_unref (self->process);
  g_free (self->cert_path);
  g_free (self->dir);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_stop)

static gboolean
is_connected (gpointer data)
{
  return suda_connection_is_connected (suda_client_get_connection (data));
}

typedef struct {
  SudaConversation *conversation;
  const char       *text;
  SudaMessageKind   kind;
} Expect;

static gboolean
has_message (gpointer data)
{
  Expect *e = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (e->conversation));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (e->conversation), i);

      if (suda_message_get_kind (m) == e->kind && strstr (suda_message_get_text (m), e->text))
        return TRUE;
    }
  return FALSE;
}

static void
wait_message (SudaConversation *conv,
              SudaMessageKind   kind,
              const char       *text)
{
  Expect e = { conv, text, kind };

  if (!suda_test_wait_until (has_message, &e, 5000))
    {
      g_autoptr(GString) seen = g_string_new (NULL);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (conv));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

          g_string_append_printf (seen, "\n  [%d] %s", suda_message_get_kind (m), suda_message_get_text (m));
        }
      g_error ("no message “%s” in %s; it has:%s", text, suda_conversation_get_name (conv), seen->str);
    }
}

static guint
count_messages (SudaConversation *conv,
                const char       *text)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conv)), count = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      count += g_strcmp0 (suda_message_get_text (m), text) == 0;
    }
  return count;
}

static SudaConversation *
wait_room (SudaClient *client,
           const char *room)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  SudaConversation *conv;

  while ((conv = suda_client_find_conversation (client, room)) == NULL ||
         !suda_conversation_get_joined (conv) ||
         g_list_model_get_n_items (suda_conversation_get_members (conv)) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      suda_test_iterate (10);
    }
  return conv;
}

/* A new client in ROOM on SERVER's clear-text port as NICK; its room. */
static SudaConversation *
join_as (SudaClient **client,
         Peer        *server,
         const char  *nick,
         const char  *room)
{
  *client = suda_client_new ();
  suda_client_set_autojoin (*client, room);
  suda_client_connect (*client, "127.0.0.1", server->port, nick, NULL);
  return wait_room (*client, room);
}

static void
test_registers_and_talks (gconstpointer data)
{
  const PeerKind *kind = data;
  g_autoptr(Peer) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  SudaConnection *connection;
  SudaConversation *room;
  SudaMember *me;

  server = peer_start (kind);
  client = suda_client_new ();
  connection = suda_client_get_connection (client);
  suda_client_set_autojoin (client, "#suda-test");
  suda_client_connect (client, "127.0.0.1", server->port, "alice", NULL);
  g_assert_true (suda_test_wait_until (is_connected, client, 5000));

  /* Both offer multi-prefix; InspIRCd, as configured, offers
   * echo-message too (and server-time), ngIRCd does not. */
  g_assert_true (suda_connection_has_cap (connection, "multi-prefix"));
  g_assert_true (suda_connection_has_cap (connection, "echo-message") == kind->echo_message);
  wait_message (suda_client_get_server_conversation (client), SUDA_MESSAGE_KIND_INFO, kind->motd);

  room = wait_room (client, "#suda-test");
  me = suda_conversation_find_member (room, "alice");
  g_assert_nonnull (me);
  g_assert_true (suda_member_get_operator (me));   /* first in the room */

  bob = suda_test_client_register (server->port, "bob", NULL);
  suda_test_client_send (bob, "JOIN #suda-test");
  suda_test_client_await (bob, "* 366 *");
  suda_test_client_send (bob, "PRIVMSG #suda-test :hello alice");
  wait_message (room, SUDA_MESSAGE_KIND_MESSAGE, "hello alice");
  g_assert_nonnull (suda_conversation_find_member (room, "bob"));

  /* Our own line is shown once, whether the server echoes it or not. */
  suda_client_submit (client, room, "hi bob");
  suda_test_client_await (bob, ":alice!* PRIVMSG #suda-test :hi bob");
  /* Bob's next line comes after any echo of ours. */
  suda_test_client_send (bob, "PRIVMSG #suda-test :after");
  wait_message (room, SUDA_MESSAGE_KIND_MESSAGE, "after");
  g_assert_cmpuint (count_messages (room, "hi bob"), ==, 1);

  /* Members sort operators first; a mode change moves bob up. */
  suda_client_submit (client, room, "/me waves");
  suda_test_client_await (bob, ":alice!* PRIVMSG #suda-test :\001ACTION waves\001");
}

static void
test_service_commands_unavailable (gconstpointer data)
{
  const PeerKind *kind = data;
  g_autoptr(Peer) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  SudaConversation *room;

  server = peer_start (kind);
  room = join_as (&client, server, "carol", "#plain");

  g_assert_false (suda_client_has_service (client, room));
  suda_client_submit (client, room, "/search what is a socket");
  wait_message (room, SUDA_MESSAGE_KIND_ERROR, "does not offer /search");
  suda_client_submit (client, room, "/schedule +1m later");
  wait_message (room, SUDA_MESSAGE_KIND_ERROR, "does not offer /schedule");
}

static void
test_nick_taken_on_standard_server (gconstpointer data)
{
  const PeerKind *kind = data;
  g_autoptr(Peer) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  g_autoptr(SudaTestClient) first = NULL;

  server = peer_start (kind);
  first = suda_test_client_register (server->port, "dora", NULL);
  client = suda_client_new ();
  suda_client_connect (client, "127.0.0.1", server->port, "dora", NULL);
  g_assert_true (suda_test_wait_until (is_connected, client, 5000));
  g_assert_cmpstr (suda_connection_get_nick (suda_client_get_connection (client)), ==, "dora_");
  wait_message (suda_client_get_server_conversation (client), SUDA_MESSAGE_KIND_ERROR,
                "already taken");
}

/* ngIRCd's errors read as their subject and ngIRCd's own sentence
 * (issue 13, bug 1: "nobody No such: No such nick"). */
static void
test_errors_read_as_subject_and_text (gconstpointer data)
{
  const PeerKind *kind = data;
  g_autoptr(Peer) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  SudaConversation *room;

  server = peer_start (kind);
  room = join_as (&client, server, "erin", "#errors");
  suda_client_submit (client, room, "/msg nobody hello");
  wait_message (suda_client_get_server_conversation (client), SUDA_MESSAGE_KIND_ERROR,
                "nobody: No such nick");
}

/* Issue 14's interop: the client over TLS to ngIRCd's test certificate,
 * trusted by its pin, then a room and a message through it. */
static void
test_tls_with_pinned_certificate (gconstpointer data)
{
  const PeerKind *kind = data;
  g_autoptr(Peer) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  g_autoptr(SudaClient) other = NULL;
  g_autoptr(SudaTrustStore) store = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *fingerprint = NULL;
  SudaConnection *connection;
  SudaConversation *room;

  server = peer_start_full (kind, TRUE);
  store_path = g_build_filename (server->dir, "trust.ini", NULL);
  store = suda_trust_store_new (store_path);
  certificate = g_tls_certificate_new_from_file (server->cert_path, &error);
  g_assert_no_error (error);
  fingerprint = suda_certificate_fingerprint (certificate);
  g_assert_true (suda_trust_store_pin (store, "127.0.0.1", server->tls_port, fingerprint, &error));

  client = suda_client_new ();
  connection = suda_client_get_connection (client);
  suda_connection_set_trust_store (connection, store);
  suda_connection_set_tls (connection, TRUE);
  suda_client_set_autojoin (client, "#secure");
  suda_client_connect (client, "127.0.0.1", server->tls_port, "tina", NULL);
  room = wait_room (client, "#secure");
  g_assert_nonnull (suda_connection_get_certificate (connection));
  g_assert_true (g_tls_certificate_is_same (suda_connection_get_certificate (connection), certificate));

  /* Someone on the clear port reads what went through TLS. */
  other = suda_client_new ();
  suda_client_set_autojoin (other, "#secure");
  suda_client_connect (other, "127.0.0.1", server->port, "plain", NULL);
  wait_room (other, "#secure");
  suda_client_submit (client, room, "비밀 안녕");
  wait_message (suda_client_find_conversation (other, "#secure"), SUDA_MESSAGE_KIND_MESSAGE, "비밀 안녕");
}

/* A kick the server refuses reads as the room and the server's own
 * sentence (issue 13, bug 1: InspIRCd's "#test You must be a channel op
 * or higher to kick a more privileged: You must be…"). */
static void
test_refused_kick_reads_as_room_and_text (gconstpointer data)
{
  const PeerKind *kind = data;
  g_autoptr(Peer) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  g_autoptr(SudaTestClient) op = NULL;
  g_autofree char *expected = NULL;
  SudaConversation *room;

  server = peer_start (kind);
  op = suda_test_client_register (server->port, "olga", NULL);
  suda_test_client_send (op, "JOIN #kick");
  suda_test_client_await (op, "* 366 *");
  room = join_as (&client, server, "kim", "#kick");
  g_assert_false (suda_member_get_operator (suda_conversation_find_member (room, "kim")));
  suda_client_submit (client, room, "/kick olga bye");
  expected = g_strconcat ("#kick: ", kind->not_op, NULL);
  wait_message (suda_client_get_server_conversation (client), SUDA_MESSAGE_KIND_ERROR, expected);
  suda_test_client_expect_nothing_before_sync (op, "* KICK *");
}

static void
add_tests (const PeerKind *kind)
{
  static const struct {
    const char     *name;
    GTestDataFunc   func;
  } tests[] = {
    { "registers-and-talks", test_registers_and_talks },
    { "service-commands-unavailable", test_service_commands_unavailable },
    { "nick-taken", test_nick_taken_on_standard_server },
    { "errors-read-as-subject-and-text", test_errors_read_as_subject_and_text },
    { "refused-kick-reads-as-room-and-text", test_refused_kick_reads_as_room_and_text },
    { "tls-with-pinned-certificate", test_tls_with_pinned_certificate },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autofree char *path = g_strdup_printf ("/client/%s/%s", kind->name, tests[i].name);

      g_test_add_data_func (path, kind, tests[i].func);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_tests (&ngircd);
  add_tests (&inspircd);
  return g_test_run ();
}
