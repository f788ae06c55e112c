/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client against a standard IRC server: Debian's ngIRCd, started on a
 * loopback port with the config kept in tests/ngircd.conf. */
#include "config.h"

#include <string.h>

#include "suda-certificate.h"
#include "suda-client.h"
#include "suda-test-util.h"
#include "suda-tls-self-signed.h"

#define NGIRCD "/usr/sbin/ngircd"

typedef struct {
  GSubprocess *process;
  char        *dir;
  guint16      port;
  guint16      tls_port;      /* 0 unless started with TLS */
  char        *cert_path;
} Ngircd;

/* ngIRCd in Debian is built with GnuTLS: an [SSL] section with a
 * certificate made here gives it a TLS port. */
static void
add_tls (Ngircd  *self,
         GString *conf)
{
  g_autofree char *key_path = g_build_filename (self->dir, "ngircd.key", NULL);
  g_autoptr(GError) error = NULL;

  self->cert_path = g_build_filename (self->dir, "ngircd.crt", NULL);
  g_assert_true (suda_tls_create_self_signed (self->cert_path, key_path, "irc.test.local", &error));
  g_assert_no_error (error);
  self->tls_port = suda_test_free_port ();
  g_string_append_printf (conf, "\n[SSL]\n\tCertFile = %s\n\tKeyFile = %s\n\tPorts = %u\n",
                          self->cert_path, key_path, self->tls_port);
}

static Ngircd *
ngircd_start_full (gboolean tls)
{
  Ngircd *self = g_new0 (Ngircd, 1);
  g_autofree char *template_path = g_test_build_filename (G_TEST_DIST, "ngircd.conf", NULL);
  g_autofree char *template = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *pid_path = NULL;
  g_autofree char *conf_path = NULL;
  g_autoptr(GString) conf = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  g_assert_true (g_file_get_contents (template_path, &template, NULL, &error));
  self->dir = suda_test_make_tmpdir ();
  self->port = suda_test_free_port ();
  port_text = g_strdup_printf ("%u", self->port);
  pid_path = g_build_filename (self->dir, "ngircd.pid", NULL);
  conf = g_string_new (template);
  g_string_replace (conf, "@PORT@", port_text, 0);
  g_string_replace (conf, "@PIDFILE@", pid_path, 0);
  if (tls)
    add_tls (self, conf);
  conf_path = g_build_filename (self->dir, "ngircd.conf", NULL);
  g_assert_true (g_file_set_contents (conf_path, conf->str, -1, &error));

  self->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                    &error, NGIRCD, "-n", "-f", conf_path, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!suda_test_port_accepts (self->port) ||
         (self->tls_port != 0 && !suda_test_port_accepts (self->tls_port)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
  return self;
}

static Ngircd *
ngircd_start (void)
{
  return ngircd_start_full (FALSE);
}

static void
ngircd_stop (Ngircd *self)
{
  g_subprocess_send_signal (self->process, SIGTERM);
  g_subprocess_wait (self->process, NULL, NULL);
  g_object_unref (self->process);
  g_free (self->cert_path);
  g_free (self->dir);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Ngircd, ngircd_stop)

static gboolean
have_ngircd (void)
{
  if (g_file_test (NGIRCD, G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  g_test_skip ("ngircd is not installed (apt install ngircd)");
  return FALSE;
}

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
    g_error ("no message “%s” in %s", text, suda_conversation_get_name (conv));
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

static void
test_registers_and_talks (void)
{
  g_autoptr(Ngircd) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  SudaConnection *connection;
  SudaConversation *room;
  SudaMember *me;

  if (!have_ngircd ())
    return;
  server = ngircd_start ();
  client = suda_client_new ();
  connection = suda_client_get_connection (client);
  suda_client_set_autojoin (client, "#suda-test");
  suda_client_connect (client, "127.0.0.1", server->port, "alice", NULL);
  g_assert_true (suda_test_wait_until (is_connected, client, 5000));

  /* ngIRCd offers multi-prefix but neither server-time nor echo-message. */
  g_assert_true (suda_connection_has_cap (connection, "multi-prefix"));
  g_assert_false (suda_connection_has_cap (connection, "echo-message"));
  wait_message (suda_client_get_server_conversation (client), SUDA_MESSAGE_KIND_INFO,
                "Welcome to the Suda test ngIRCd");

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

  /* Without echo-message our own line is shown once, made up locally. */
  suda_client_submit (client, room, "hi bob");
  suda_test_client_await (bob, ":alice!* PRIVMSG #suda-test :hi bob");
  g_assert_cmpuint (count_messages (room, "hi bob"), ==, 1);

  /* Members sort operators first; a mode change moves bob up. */
  suda_client_submit (client, room, "/me waves");
  suda_test_client_await (bob, ":alice!* PRIVMSG #suda-test :\001ACTION waves\001");
}

static void
test_service_commands_unavailable (void)
{
  g_autoptr(Ngircd) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  SudaConversation *room;

  if (!have_ngircd ())
    return;
  server = ngircd_start ();
  client = suda_client_new ();
  suda_client_set_autojoin (client, "#plain");
  suda_client_connect (client, "127.0.0.1", server->port, "carol", NULL);
  room = wait_room (client, "#plain");

  g_assert_false (suda_client_has_service (client, room));
  suda_client_submit (client, room, "/search what is a socket");
  wait_message (room, SUDA_MESSAGE_KIND_ERROR, "does not offer /search");
  suda_client_submit (client, room, "/schedule +1m later");
  wait_message (room, SUDA_MESSAGE_KIND_ERROR, "does not offer /schedule");
}

static void
test_nick_taken_on_standard_server (void)
{
  g_autoptr(Ngircd) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  g_autoptr(SudaTestClient) first = NULL;

  if (!have_ngircd ())
    return;
  server = ngircd_start ();
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
test_errors_read_as_subject_and_text (void)
{
  g_autoptr(Ngircd) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  SudaConversation *room;

  if (!have_ngircd ())
    return;
  server = ngircd_start ();
  client = suda_client_new ();
  suda_client_set_autojoin (client, "#errors");
  suda_client_connect (client, "127.0.0.1", server->port, "erin", NULL);
  room = wait_room (client, "#errors");
  suda_client_submit (client, room, "/msg nobody hello");
  wait_message (suda_client_get_server_conversation (client), SUDA_MESSAGE_KIND_ERROR,
                "nobody: No such nick");
}

/* Issue 14's interop: the client over TLS to ngIRCd's test certificate,
 * trusted by its pin, then a room and a message through it. */
static void
test_tls_with_pinned_certificate (void)
{
  g_autoptr(Ngircd) server = NULL;
  g_autoptr(SudaClient) client = NULL;
  g_autoptr(SudaClient) other = NULL;
  g_autoptr(SudaTrustStore) store = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *fingerprint = NULL;
  SudaConnection *connection;
  SudaConversation *room;

  if (!have_ngircd ())
    return;
  server = ngircd_start_full (TRUE);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/ngircd/registers-and-talks", test_registers_and_talks);
  g_test_add_func ("/client/ngircd/service-commands-unavailable", test_service_commands_unavailable);
  g_test_add_func ("/client/ngircd/nick-taken", test_nick_taken_on_standard_server);
  g_test_add_func ("/client/ngircd/errors-read-as-subject-and-text", test_errors_read_as_subject_and_text);
  g_test_add_func ("/client/ngircd/tls-with-pinned-certificate", test_tls_with_pinned_certificate);

  return g_test_run ();
}
