/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "suda-server-private.h"
#include "suda-test-util.h"

/* Hostile or broken input, one row each: what is sent, the reply the sender
 * must get (or that it gets nothing at all), whether the server hangs up on
 * it, and what the room sees.  After every row two other clients must still
 * be served: a room message and a private message make the round trip. */

typedef struct _Context Context;

typedef struct {
  const char *name;
  const char *bytes;              /* sent in one write; NULL when make is set */
  gsize       len;                /* 0: strlen (bytes) */
  GString  *(*make) (void);       /* generated input */
  const char *reply;              /* glob the sender gets; NULL: it gets nothing */
  gboolean    disconnect;         /* the server then closes the connection */
  const char *witness;            /* glob a room member sees, or NULL */
  gboolean    unregistered;       /* sent by a connection that has not registered */
  gboolean    more_replies;       /* the reply is the first of several */
  void      (*custom) (Context *ctx);
} HostileRow;

struct _Context
{
  SudaServer     *server;
  guint16         port;
  SudaTestClient *attacker;       /* "mallory", in #lobby unless unregistered */
  SudaTestClient *wit1;
  SudaTestClient *wit2;
};

/* Whatever a client is sent, every line keeps the 512-byte limit (CR LF
 * included, tags excluded) and is valid UTF-8: every client here checks
 * each line it reads with this. */
static void
assert_line_fits (const char *line)
{
  const char *body = line;

  if (line[0] == '@' && strchr (line, ' '))
    body = strchr (line, ' ') + 1;
  if (strlen (body) + 2 > 512 || !g_utf8_validate (line, -1, NULL))
    g_error ("line of %zu bytes or not UTF-8: %.100s…", strlen (body) + 2, line);
}

static void
assert_others_served (Context *ctx)
{
  static guint round;

  round++;
  {
    g_autofree char *text = g_strdup_printf ("round trip %u", round);
    g_autofree char *in_room = g_strdup_printf (":wit1!~wit1@127.0.0.1 PRIVMSG #lobby :%s", text);
    g_autofree char *in_private = g_strdup_printf (":wit2!~wit2@127.0.0.1 PRIVMSG wit1 :%s", text);

    suda_test_client_send (ctx->wit1, "PRIVMSG #lobby :%s", text);
    suda_test_client_await (ctx->wit2, in_room);
    suda_test_client_send (ctx->wit2, "PRIVMSG wit1 :%s", text);
    suda_test_client_await (ctx->wit1, in_private);
  }
}

/* Generated inputs -------------------------------------------------------- */

static GString *
make_overlong (void)
{
  GString *s = g_string_new ("PRIVMSG #lobby :");

  while (s->len < 600)
    g_string_append_c (s, 'a');
  g_string_append (s, "\r\n");
  return s;
}

/* 512 bytes with CR LF: the longest line a client may send. */
static GString *
make_exactly_512 (void)
{
  GString *s = g_string_new ("PRIVMSG #lobby :");

  while (s->len < 510)
    g_string_append_c (s, 'b');
  g_string_append (s, "\r\n");
  return s;
}

static GString *
make_500_targets (void)
{
  GString *s = g_string_new ("PRIVMSG ");

  for (guint i = 0; i < 499; i++)
    g_string_append_c (s, ',');
  g_string_append (s, " :x\r\n");
  g_assert_cmpuint (s->len, <=, 512);
  return s;
}

static GString *
make_join_list (void)
{
  GString *s = g_string_new ("JOIN ");

  for (guint i = 0; s->len < 500; i++)
    g_string_append_printf (s, "%s#l%u", i ? "," : "", i);
  g_string_append (s, "\r\n");
  return s;
}

static GString *
make_1000_join_lines (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (s, "JOIN #j%u\r\n", i);
  return s;
}

static GString *
make_tags (gsize tags_len, const char *rest)
{
  GString *s = g_string_new ("@");

  /* tags_len counts '@' and the space, as the IRCv3 limit does. */
  g_string_append (s, "+x=");
  while (s->len < tags_len - 1)
    g_string_append_c (s, 'v');
  g_string_append_c (s, ' ');
  g_string_append (s, rest);
  return s;
}

static GString *
make_tags_at_limit (void)
{
  return make_tags (8191, "PRIVMSG #lobby :tags at the limit\r\n");
}

static GString *
make_client_tags_at_limit (void)
{
  return make_tags (4094 + 2, "PRIVMSG #lobby :client tags at the limit\r\n");
}

static GString *
make_client_tags_over_limit (void)
{
  return make_tags (4095 + 2, "PRIVMSG #lobby :client tags over the limit\r\n");
}

static GString *
make_tags_over_limit (void)
{
  return make_tags (8192, "PRIVMSG #lobby :tags over the limit\r\n");
}

static GString *
make_megabyte (void)
{
  GString *s = g_string_sized_new (1024 * 1024);

  g_string_append (s, "PRIVMSG #lobby :");
  while (s->len < 1024 * 1024)
    g_string_append_c (s, 'm');
  return s;
}

static GString *
make_100_params (void)
{
  GString *s = g_string_new ("PRIVMSG #lobby");

  for (guint i = 1; i <= 100; i++)
    g_string_append_printf (s, " p%u", i);
  g_string_append (s, "\r\n");
  return s;
}

static GString *
make_huge_nick (void)
{
  GString *s = g_string_new ("NICK ");

  while (s->len < 505)
    g_string_append_c (s, 'n');
  g_string_append (s, "\r\n");
  return s;
}

static GString *
make_filled (const char *head,
             char        fill)
{
  GString *s = g_string_new (head);

  while (s->len < 510)
    g_string_append_c (s, fill);
  g_string_append (s, "\r\n");
  return s;
}

static GString *
make_huge_ping (void)
{
  return make_filled ("PING :", 't');
}

static GString *
make_huge_cap_req (void)
{
  return make_filled ("CAP REQ :", 'c');
}

static GString *
make_huge_quit (void)
{
  return make_filled ("QUIT :", 'q');
}

static GString *
make_huge_part (void)
{
  return make_filled ("PART #lobby :", 'p');
}

/* Rows that take more than one write ---------------------------------------- */

/* Every reply, however long the input it quotes, stays within 512 bytes. */
static void
assert_lines_fit (GPtrArray *lines)
{
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      const char *body = line;

      if (line[0] == '@')
        body = strchr (line, ' ') + 1;
      g_assert_cmpuint (strlen (body) + 2, <=, 512);
      g_assert_true (g_utf8_validate (line, -1, NULL));
    }
}

static void
custom_huge_realname (Context *ctx)
{
  g_autoptr(GString) line = g_string_new ("USER big 0 * :");
  g_autoptr(GPtrArray) lines = NULL;

  while (line->len < 500)
    g_string_append (line, "긴");
  suda_test_client_send (ctx->attacker, "NICK big");
  suda_test_client_send (ctx->attacker, "%s", line->str);
  suda_test_client_await (ctx->attacker, ":suda.local 001 big *");
  suda_test_client_await (ctx->attacker, ":suda.local 422 big *");
  suda_test_client_send (ctx->attacker, "JOIN #lobby");
  suda_test_client_send (ctx->attacker, "WHOIS big");
  suda_test_client_send (ctx->attacker, "WHO #lobby");
  suda_test_client_send (ctx->wit1, "WHO big");
  suda_test_client_await (ctx->wit1, ":big!~big@127.0.0.1 JOIN #lobby");
  lines = suda_test_client_sync (ctx->attacker);
  g_assert_cmpuint (lines->len, >, 5);
  assert_lines_fit (lines);
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = suda_test_client_sync (ctx->wit1);
  assert_lines_fit (lines);
}

/* Echoed input in a numeric is cut to fit the line. */
static void
custom_long_unknown_command (Context *ctx)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GPtrArray) lines = NULL;

  while (line->len < 505)
    g_string_append_c (line, 'Z');
  suda_test_client_send (ctx->attacker, "%s", line->str);
  lines = suda_test_client_sync (ctx->attacker);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, 0), ":suda.local 421 mallory ZZZZ"));
  assert_lines_fit (lines);
}

static void
custom_1000_joins (Context *ctx)
{
  g_autoptr(GString) joins = make_1000_join_lines ();
  g_autoptr(GPtrArray) lines = NULL;
  guint joined = 0, refused = 0;

  suda_test_client_send_raw (ctx->attacker, joins->str, joins->len);
  lines = suda_test_client_sync (ctx->attacker);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);

      if (g_pattern_match_simple (":mallory!~mallory@127.0.0.1 JOIN #j*", line))
        joined++;
      else if (g_pattern_match_simple (":suda.local 405 mallory #j* :You have joined too many channels", line))
        refused++;
    }
  /* #lobby and 19 more make the limit of 20; every other JOIN gets a 405. */
  g_assert_cmpuint (joined, ==, 19);
  g_assert_cmpuint (refused, ==, 981);
  suda_test_client_send (ctx->attacker, "JOIN 0");
  suda_test_client_await (ctx->wit1, ":mallory!~mallory@127.0.0.1 PART #lobby");
  suda_test_client_send (ctx->attacker, "JOIN #lobby");
  suda_test_client_await (ctx->wit1, ":mallory!~mallory@127.0.0.1 JOIN #lobby");
}

static gboolean
only_witnesses_left (gpointer data)
{
  return g_list_model_get_n_items (suda_server_get_sessions (data)) == 2;
}

/* Nothing a client sends after QUIT is acted on, even in the same packet. */
static void
custom_lines_after_quit (Context *ctx)
{
  static const char input[] = "QUIT :leaving\r\nPRIVMSG #lobby :after quit\r\nNICK ghost\r\n";

  suda_test_client_send_raw (ctx->attacker, input, sizeof input - 1);
  suda_test_client_await (ctx->attacker, "ERROR :Closing link: 127.0.0.1 (Quit: leaving)");
  g_assert_true (suda_test_client_wait_closed (ctx->attacker, 5000));
  suda_test_client_await (ctx->wit1, ":mallory!~mallory@127.0.0.1 QUIT :Quit: leaving");
  suda_test_client_assert_quiet (ctx->wit1);
  g_assert_null (suda_server_find_session (ctx->server, "ghost"));
}

/* A line that arrives one byte per packet is put together again. */
static void
custom_one_byte_writes (Context *ctx)
{
  static const char input[] = "PRIVMSG #lobby :piece by piece, 조각조각\r\n";

  for (gsize i = 0; i < sizeof input - 1; i++)
    {
      suda_test_client_send_raw (ctx->attacker, input + i, 1);
      suda_test_iterate (1);
    }
  suda_test_client_await (ctx->wit1, ":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :piece by piece, 조각조각");
  suda_test_client_assert_quiet (ctx->attacker);
}

/* A hundred lines in one write all arrive, in order. */
static void
custom_many_lines_one_write (Context *ctx)
{
  g_autoptr(GString) input = g_string_new (NULL);

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (input, "PRIVMSG #lobby :line %u\r\n", i);
  suda_test_client_send_raw (ctx->attacker, input->str, input->len);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *want = g_strdup_printf (":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :line %u", i);
      g_autofree char *line = suda_test_client_read_line (ctx->wit1, 5000);

      g_assert_cmpstr (line, ==, want);
    }
  suda_test_client_assert_quiet (ctx->wit1);
}

/* The longest message a client may send, replayed from the room's history
 * to newcomers with and without server-time, still fits every line. */
static void
custom_long_message_in_history (Context *ctx)
{
  g_autoptr(GString) input = make_exactly_512 ();
  g_autoptr(SudaTestClient) plain = suda_test_client_register (ctx->port, "newbie", NULL);
  g_autoptr(SudaTestClient) tagged = suda_test_client_register (ctx->port, "tagged", "batch server-time");

  suda_test_client_set_line_check (plain, assert_line_fits);
  suda_test_client_set_line_check (tagged, assert_line_fits);
  suda_test_client_send_raw (ctx->attacker, input->str, input->len);
  suda_test_client_await (ctx->wit1, ":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :bbbbbbbbbb*");
  suda_test_client_send (plain, "JOIN #lobby");
  suda_test_client_await (plain, ":suda.local NOTICE #lobby :[*] <mallory> bbbbbbbbbb*");
  g_ptr_array_unref (suda_test_client_sync (plain));
  suda_test_client_send (tagged, "JOIN #lobby");
  suda_test_client_await (tagged, "@batch=*;time=* :mallory!~mallory@127.0.0.1 PRIVMSG #lobby *bbbbbbbbbb*");
  g_ptr_array_unref (suda_test_client_sync (tagged));
}

/* A client that never reads while the room is busy: once what waits for it
 * passes sendq_bytes, it is dropped, and only it. */
static void
custom_sendq (Context *ctx)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean dropped = FALSE;
  guint sent = 0;

  while (text->len < 400)
    g_string_append (text, "flood ");
  for (sent = 0; sent < 20000 && !dropped; sent++)
    {
      suda_test_client_send (ctx->wit1, "PRIVMSG #lobby :%u %s", sent, text->str);
      /* wit2 reads along, so it keeps up (and what one main-loop
       * iteration queues for it stays well under the sendq). */
      if (sent % 20 == 19)
        {
          g_autoptr(GPtrArray) sender_lines = suda_test_client_sync (ctx->wit1);
          g_autoptr(GPtrArray) lines = suda_test_client_sync (ctx->wit2);

          for (guint i = 0; i < lines->len; i++)
            if (g_pattern_match_simple (":mallory!~mallory@127.0.0.1 QUIT :SendQ exceeded",
                                        g_ptr_array_index (lines, i)))
              dropped = TRUE;
        }
    }
  g_test_message ("mallory was dropped after %u room messages", sent);
  g_assert_true (dropped);
  g_assert_null (suda_server_find_session (ctx->server, "mallory"));
  /* Mallory does not read its last words either: once ping_timeout_ms has
   * passed the session is gone with its buffer, and the socket is closed. */
  g_assert_true (suda_test_wait_until (only_witnesses_left, ctx->server, 5000));
  g_assert_true (suda_test_client_wait_closed (ctx->attacker, 5000));

  /* The log says why. */
  {
    g_autofree char *log = NULL;
    g_auto(GStrv) lines = NULL;
    gboolean logged = FALSE;

    g_assert_true (g_file_get_contents (suda_server_get_log_path (ctx->server), &log, NULL, NULL));
    lines = g_strsplit (log, "\n", -1);
    for (guint i = 0; lines[i] && *lines[i]; i++)
      {
        g_autoptr(SudaLogEntry) entry = suda_log_entry_new_from_line (lines[i], -1, NULL);

        logged |= entry && g_str_equal (suda_log_entry_get_event (entry), "quit") &&
                  g_strcmp0 (suda_log_entry_get_nick (entry), "mallory") == 0 &&
                  g_strcmp0 (suda_log_entry_get_text (entry), "SendQ exceeded") == 0;
      }
    g_assert_true (logged);
  }
}

/* Flood control: a burst passes at once, then lines are paced, and a
 * client that keeps pushing is dropped when its receive queue is full. */
static void
custom_flood (Context *ctx)
{
  const SudaServerConfig *config = suda_server_get_config (ctx->server);
  g_autoptr(GString) burst = g_string_new (NULL);
  g_autoptr(GString) more = g_string_new (NULL);
  gint64 start, first = 0;
  guint seen = 0, seen_at_once = 0;

  g_assert_true (config->flood_control);
  suda_test_iterate (1000 / config->flood_rate * config->flood_burst);  /* a full bucket */
  for (guint i = 0; i < 20; i++)
    g_string_append_printf (burst, "PRIVMSG #lobby :flood %u\r\n", i);
  start = g_get_monotonic_time ();
  suda_test_client_send_raw (ctx->attacker, burst->str, burst->len);
  while (seen < 20)
    {
      g_autofree char *line = suda_test_client_read_line (ctx->wit1, 5000);
      g_autofree char *want = g_strdup_printf (":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :flood %u", seen);

      g_assert_nonnull (line);
      g_assert_cmpstr (line, ==, want);
      /* Timed from the first line's arrival, so a slow start of this
       * process does not count against the server. */
      if (seen == 0)
        first = g_get_monotonic_time ();
      if (g_get_monotonic_time () - first < 150 * 1000)
        seen_at_once++;
      seen++;
    }
  g_test_message ("%u of 20 lines passed at once; all 20 after %" G_GINT64_FORMAT " ms",
                  seen_at_once, (g_get_monotonic_time () - start) / 1000);
  /* The burst, give or take a token refilled meanwhile, and not more. */
  g_assert_cmpuint (seen_at_once, >=, (guint) config->flood_burst - 1);
  g_assert_cmpuint (seen_at_once, <=, (guint) config->flood_burst + 1);
  g_assert_cmpint (g_get_monotonic_time () - start, >=,
                   (gint64) ((20 - config->flood_burst - 1) / config->flood_rate * G_USEC_PER_SEC));

  /* Now far more than the receive queue holds, in one go. */
  while (more->len < config->recvq_bytes * 2)
    g_string_append (more, "PRIVMSG #lobby :more and more and more and more and more\r\n");
  suda_test_client_send_raw (ctx->attacker, more->str, more->len);
  suda_test_client_await (ctx->attacker, "ERROR :Closing link: 127.0.0.1 (Excess Flood)");
  g_assert_true (suda_test_client_wait_closed (ctx->attacker, 5000));
  suda_test_client_await (ctx->wit1, ":mallory!~mallory@127.0.0.1 QUIT :Excess Flood");
}

/* The table ------------------------------------------------------------------ */

/* The start of a TLS ClientHello, ended as a line. */
#define BINARY_LINE "\x16\x03\x01\x02\x00\x01\x00\r\n"
#define NUL_LINE "PRIVMSG #lobby :a\0b\r\n"
#define MALFORMED ":suda.local 421 mallory * :Malformed line"
#define TOO_LONG ":suda.local 417 mallory :Input line was too long"

static const HostileRow rows[] = {
  { "overlong-line", .make = make_overlong, .reply = TOO_LONG },
  { "line-of-exactly-512-bytes", .make = make_exactly_512,
    .witness = ":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :bbbbbbbbbb*" },
  { "invalid-utf8", "PRIVMSG #lobby :caf\xe9 \xff\xfe\r\n",
    .reply = ":suda.local FAIL * INVALID_UTF8 :Line rejected: it is not valid UTF-8" },
  { "overlong-utf8-encoding", "PRIVMSG #lobby :\xc0\xaf etc\r\n",
    .reply = ":suda.local FAIL * INVALID_UTF8 :*" },
  { "truncated-utf8-sequence", "PRIVMSG #lobby :\xea\xb0\r\n",
    .reply = ":suda.local FAIL * INVALID_UTF8 :*" },
  { "nul-byte", NUL_LINE, sizeof NUL_LINE - 1,
    .reply = ":suda.local FAIL * INVALID_CHARACTER :Line rejected: it contains a NUL byte" },
  { "bare-cr-inside-line", "PRIVMSG #lobby :a\rQUIT :pwned\r\n",
    .reply = ":suda.local FAIL * INVALID_CHARACTER :Line rejected: it contains a bare carriage return" },
  { "empty-line", "\r\n" },
  { "only-spaces", "        \r\n" },
  { "lone-newlines", "\n\n\n\n" },
  { "unknown-command", "FROBNICATE now\r\n", .reply = ":suda.local 421 mallory FROBNICATE :Unknown command" },
  { "numeric-as-command", "001 mallory :hi\r\n", .reply = ":suda.local 421 mallory 001 :Unknown command" },
  { "command-with-punctuation", "PRIV/MSG #lobby :x\r\n", .reply = MALFORMED },
  { "missing-parameters", "INVITE wit1\r\n", .reply = ":suda.local 461 mallory INVITE :Not enough parameters" },
  { "500-targets", .make = make_500_targets,
    .reply = ":suda.local 407 mallory * :Too many targets. No message delivered" },
  { "join-list-to-the-line-limit", .make = make_join_list,
    .reply = ":suda.local 405 mallory #l19 :You have joined too many channels", .more_replies = TRUE },
  { "1000-join-lines", .custom = custom_1000_joins },
  { "garbage-tags", "@;;;=== PRIVMSG #lobby :tagged garbage\r\n",
    .witness = ":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :tagged garbage" },
  { "tags-without-command", "@a=b;c\r\n", .reply = MALFORMED },
  /* Within the 8191 bytes of all tags, but past the client's 4094: 417. */
  { "tags-at-8191-bytes", .make = make_tags_at_limit, .reply = TOO_LONG },
  { "client-tags-at-4094-bytes", .make = make_client_tags_at_limit,
    .witness = ":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :client tags at the limit" },
  { "client-tags-over-4094-bytes", .make = make_client_tags_over_limit, .reply = TOO_LONG },
  { "tags-over-8191-bytes", .make = make_tags_over_limit, .reply = TOO_LONG, .disconnect = TRUE },
  { "megabyte-without-newline", .make = make_megabyte, .disconnect = TRUE },
  { "client-never-reads-sendq", .custom = custom_sendq },
  { "flood", .custom = custom_flood },
  { "ctcp-action", "PRIVMSG #lobby :\001ACTION waves\001\r\n",
    .witness = ":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :\001ACTION waves\001" },
  { "ctcp-version-private", "PRIVMSG wit1 :\001VERSION\001\r\n",
    .witness = ":mallory!~mallory@127.0.0.1 PRIVMSG wit1 :\001VERSION\001" },
  { "only-colon", ":\r\n", .reply = MALFORMED },
  { "prefix-without-command", ":wit1!~wit1@127.0.0.1\r\n", .reply = MALFORMED },
  { "spoofed-prefix", ":wit1!~wit1@127.0.0.1 PRIVMSG #lobby :I am wit1\r\n",
    .witness = ":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :I am wit1" },
  { "nick-in-other-case", "PRIVMSG WIT1 :hello in caps\r\n",
    .witness = ":mallory!~mallory@127.0.0.1 PRIVMSG wit1 :hello in caps" },
  { "korean-nick", "NICK 말로리\r\n", .reply = ":suda.local 432 mallory 말로리 :Erroneous nickname" },
  { "korean-nick-before-registration", "NICK 말로리\r\n",
    .reply = ":suda.local 432 * 말로리 :Erroneous nickname", .unregistered = TRUE },
  { "huge-nick", .make = make_huge_nick, .reply = ":suda.local 432 mallory nnnnnnnn*:Erroneous nickname" },
  { "join-hash-only", "JOIN #\r\n", .reply = ":suda.local 403 mallory # :No such channel" },
  { "channel-with-control-chars", "JOIN #a\007b\r\n", .reply = ":suda.local 403 mallory #a\007b :No such channel" },
  { "100-params", .make = make_100_params,
    .witness = ":mallory!~mallory@127.0.0.1 PRIVMSG #lobby :p1" },
  { "huge-realname", .custom = custom_huge_realname, .unregistered = TRUE },
  { "long-unknown-command", .custom = custom_long_unknown_command },
  { "lines-after-quit", .custom = custom_lines_after_quit },
  { "one-byte-per-write", .custom = custom_one_byte_writes },
  { "100-lines-in-one-write", .custom = custom_many_lines_one_write },
  { "utf8-bom-before-command", "\xef\xbb\xbfPRIVMSG #lobby :bom\r\n", .reply = MALFORMED },
  { "tab-instead-of-space", "PRIVMSG\t#lobby :tab\r\n", .reply = MALFORMED },
  { "empty-text", "PRIVMSG #lobby :\r\n", .reply = ":suda.local 412 mallory :No text to send" },
  { "longest-message-replayed-from-history", .custom = custom_long_message_in_history },
  { "huge-ping-token", .make = make_huge_ping, .reply = ":suda.local PONG suda.local *tttttttttt*" },
  { "huge-cap-request", .make = make_huge_cap_req, .reply = ":suda.local CAP mallory NAK :cccccccccc*" },
  { "huge-quit-reason", .make = make_huge_quit, .disconnect = TRUE,
    .reply = "ERROR :Closing link: 127.0.0.1 (Quit: qqqqqqqqqq*" },
  { "huge-part-reason", .make = make_huge_part, .reply = ":mallory!~mallory@127.0.0.1 PART #lobby :pppppppppp*",
    .witness = ":mallory!~mallory@127.0.0.1 PART #lobby :pppppppppp*" },
  { "binary-before-registration", BINARY_LINE, sizeof BINARY_LINE - 1,
    .reply = ":suda.local FAIL * INVALID_CHARACTER :*", .unregistered = TRUE },
};

static void
test_row (gconstpointer data)
{
  const HostileRow *row = data;
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) wit1 = NULL;
  g_autoptr(SudaTestClient) wit2 = NULL;
  g_autoptr(SudaTestClient) attacker = NULL;
  Context ctx;

  config->port = 0;
  config->flood_control = FALSE;
  if (row->custom == custom_flood)
    {
      config->flood_control = TRUE;
      config->flood_burst = 5;
      config->flood_rate = 10;
    }
  if (row->custom == custom_sendq)
    {
      config->sendq_bytes = 64 * 1024;
      config->ping_timeout_ms = 500;  /* how long last words may take */
    }
  server = suda_test_server_new (config);
  ctx.server = server;
  ctx.port = suda_server_get_port (server);

  wit1 = suda_test_client_register (ctx.port, "wit1", NULL);
  wit2 = suda_test_client_register (ctx.port, "wit2", NULL);
  suda_test_client_set_line_check (wit1, assert_line_fits);
  suda_test_client_set_line_check (wit2, assert_line_fits);
  suda_test_client_join (wit1, "wit1", "#lobby");
  suda_test_client_join (wit2, "wit2", "#lobby");
  suda_test_client_await (wit1, ":wit2!~wit2@127.0.0.1 JOIN #lobby");
  if (row->unregistered)
    {
      attacker = suda_test_client_connect (ctx.port);
      suda_test_client_set_line_check (attacker, assert_line_fits);
    }
  else
    {
      attacker = suda_test_client_register (ctx.port, "mallory", NULL);
      suda_test_client_set_line_check (attacker, assert_line_fits);
      if (row->custom == custom_sendq)
        {
          SudaSession *session = suda_server_find_session (server, "mallory");

          /* Small kernel buffers on both ends, so that what the server
           * queues itself passes the sendq after some 100 kB, not 4 MB. */
          g_socket_set_option (suda_test_client_get_socket (attacker),
                               SOL_SOCKET, SO_RCVBUF, 4096, NULL);
          g_socket_set_option (_suda_session_get_socket (session), SOL_SOCKET, SO_SNDBUF, 4096, NULL);
        }
      suda_test_client_join (attacker, "mallory", "#lobby");
      suda_test_client_await (wit1, ":mallory!~mallory@127.0.0.1 JOIN #lobby");
      suda_test_client_await (wit2, ":mallory!~mallory@127.0.0.1 JOIN #lobby");
    }
  ctx.attacker = attacker;
  ctx.wit1 = wit1;
  ctx.wit2 = wit2;

  if (row->custom)
    row->custom (&ctx);
  else
    {
      g_autoptr(GString) input = NULL;

      if (row->make)
        input = row->make ();
      else
        input = g_string_new_len (row->bytes, row->len ? row->len : strlen (row->bytes));
      suda_test_client_send_raw (attacker, input->str, input->len);

      if (row->reply)
        suda_test_client_await (attacker, row->reply);
      if (row->disconnect)
        {
          if (!row->reply)
            suda_test_client_await (attacker, "ERROR :Closing link: 127.0.0.1 (*)");
          g_assert_true (suda_test_client_wait_closed (attacker, 5000));
          if (!row->unregistered)
            suda_test_client_await (wit1, ":mallory!~mallory@127.0.0.1 QUIT :*");
        }
      else if (row->more_replies)
        g_ptr_array_unref (suda_test_client_sync (attacker));
      else
        {
          /* Nothing more than the reply, and the sender is still served. */
          suda_test_client_assert_quiet (attacker);
        }
      if (row->witness)
        suda_test_client_await (wit1, row->witness);
      else if (!row->disconnect)
        suda_test_client_assert_quiet (wit1);
    }

  assert_others_served (&ctx);
}

/* When a member's sendq overflows in the middle of a broadcast, the
 * members after it in the room still get that message and every other. */
static void
test_member_after_dropped_one (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) amy = NULL;
  g_autoptr(SudaTestClient) slow = NULL;
  g_autoptr(SudaTestClient) carl = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  guint sent, next_expected = 0;
  gboolean dropped = FALSE;
  guint16 port;

  config->sendq_bytes = 32 * 1024;
  config->ping_timeout_ms = 500;
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  amy = suda_test_client_register_joined (port, "amy", NULL, "#lobby");
  slow = suda_test_client_register (port, "slow", NULL);
  g_socket_set_option (suda_test_client_get_socket (slow), SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  g_socket_set_option (_suda_session_get_socket (suda_server_find_session (server, "slow")),
                       SOL_SOCKET, SO_SNDBUF, 4096, NULL);
  suda_test_client_join (slow, "slow", "#lobby");
  /* carl joins last, so he stands right after slow in the room */
  carl = suda_test_client_register_joined (port, "carl", NULL, "#lobby");

  while (text->len < 400)
    g_string_append (text, "busy ");
  for (sent = 0; sent < 5000 && !dropped; sent++)
    {
      suda_test_client_send (amy, "PRIVMSG #lobby :%u %s", sent, text->str);
      if (sent % 10 == 9)
        {
          g_autoptr(GPtrArray) amy_lines = suda_test_client_sync (amy);
          g_autoptr(GPtrArray) lines = suda_test_client_sync (carl);

          for (guint i = 0; i < lines->len; i++)
            {
              const char *line = g_ptr_array_index (lines, i);
              const char *body = strstr (line, " PRIVMSG #lobby :");

              if (g_pattern_match_simple (":slow!* QUIT :SendQ exceeded", line))
                dropped = TRUE;
              else if (body != NULL)
                {
                  guint number = (guint) g_ascii_strtoull (body + strlen (" PRIVMSG #lobby :"), NULL, 10);

                  if (number != next_expected)
                    g_error ("carl got message %u where %u was due", number, next_expected);
                  next_expected++;
                }
            }
        }
    }
  g_assert_true (dropped);
  g_assert_cmpuint (next_expected, ==, sent);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/server/hostile/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  g_test_add_func ("/server/fanout/member-after-a-dropped-one-misses-nothing",
                   test_member_after_dropped_one);
  return g_test_run ();
}
