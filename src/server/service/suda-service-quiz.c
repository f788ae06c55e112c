/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "suda-irc-message.h"
#include "suda-service-private.h"

/* The service user's quiz: a room operator says "!quiz TOPIC [SECONDS]",
 * the AI makes one multiple-choice question, the service posts it, people
 * answer privately ("answer B"), and at the deadline the service posts
 * the tally.  Quizzes live in memory only: a restart ends them. */

#define DEFAULT_QUIZ_SECONDS 60
#define MAX_QUIZ_SECONDS     600
#define N_CHOICES            4

typedef struct {
  char *nick;                 /* as it was at the last answer */
  char  letter;
} QuizAnswer;

typedef struct {
  SudaService *service;       /* borrowed: the service owns its quizzes */
  char        *room;
  guint        serial;        /* tells a made question whose quiz it is */
  gboolean     ready;         /* the question is posted */
  gboolean     ended;
  char        *question;
  char        *choices[N_CHOICES];
  char         answer;        /* 'A' to 'D' */
  GHashTable  *answers;       /* session id → QuizAnswer */
  GPtrArray   *order;         /* QuizAnswer, by first answer */
  guint        deadline;
} Quiz;

typedef struct {
  GWeakRef     service;
  SudaSession *session;       /* owned: the operator who asked */
  char        *room;
  guint        serial;
  guint        seconds;
  char        *topic;
} QuizAsk;

static guint next_serial = 1;

static void
quiz_answer_free (QuizAnswer *answer)
{
  g_free (answer->nick);
  g_free (answer);
}

static void
quiz_free (Quiz *quiz)
{
  g_clear_handle_id (&quiz->deadline, g_source_remove);
  g_free (quiz->room);
  g_free (quiz->question);
  for (guint i = 0; i < N_CHOICES; i++)
    g_free (quiz->choices[i]);
  g_clear_pointer (&quiz->order, g_ptr_array_unref);
  g_clear_pointer (&quiz->answers, g_hash_table_unref);
  g_free (quiz);
}

static void
quiz_ask_free (QuizAsk *ask)
{
  g_weak_ref_clear (&ask->service);
  g_clear_object (&ask->session);
  g_free (ask->room);
  g_free (ask->topic);
  g_free (ask);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QuizAsk, quiz_ask_free)

static GHashTable *
ensure_quizzes (SudaService *self)
{
  if (self->quizzes == NULL)
    self->quizzes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) quiz_free);
  return self->quizzes;
}

static Quiz *
find_quiz (SudaService *self,
           const char  *room)
{
  g_autofree char *folded = suda_irc_casefold (room);

  return self->quizzes != NULL ? g_hash_table_lookup (self->quizzes, folded) : NULL;
}

static void
drop_quiz (SudaService *self,
           const char  *room)
{
  g_autofree char *folded = suda_irc_casefold (room);

  g_hash_table_remove (ensure_quizzes (self), folded);
}

/* Reading the AI's question */

/* One line of text, for a question or a choice; NULL when empty. */
static char *
dup_one_line (JsonNode *node)
{
  char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  text = g_strdup (json_node_get_string (node));
  g_strdelimit (text, "\r\n\t", ' ');
  if (g_strstrip (text)[0] == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

/* Models number choices themselves now and then ("B) Paris"); the post
 * numbers them already. */
static char *
strip_choice_letter (char  *choice,
                     guint  index)
{
  if (g_ascii_toupper (choice[0]) == 'A' + (char) index &&
      (choice[1] == ')' || choice[1] == '.') && choice[2] == ' ')
    {
      char *bare = g_strdup (choice + 3);

      g_free (choice);
      return g_strstrip (bare);
    }
  return choice;
}

static gboolean
read_quiz_object (Quiz       *quiz,
                  JsonObject *object)
{
  JsonNode *choices = json_object_get_member (object, "choices");
  g_autofree char *answer = dup_one_line (json_object_get_member (object, "answer"));
  JsonArray *array;

  quiz->question = dup_one_line (json_object_get_member (object, "question"));
  if (quiz->question == NULL || choices == NULL || !JSON_NODE_HOLDS_ARRAY (choices) || answer == NULL)
    return FALSE;
  array = json_node_get_array (choices);
  if (json_array_get_length (array) != N_CHOICES)
    return FALSE;
  for (guint i = 0; i < N_CHOICES; i++)
    {
      quiz->choices[i] = dup_one_line (json_array_get_element (array, i));
      if (quiz->choices[i] == NULL)
        return FALSE;
      quiz->choices[i] = strip_choice_letter (quiz->choices[i], i);
    }
  quiz->answer = g_ascii_toupper (answer[0]);
  return quiz->answer >= 'A' && quiz->answer < 'A' + N_CHOICES &&
         (answer[1] == '\0' || answer[1] == ')' || answer[1] == '.');
}

/* The object between the first "{" and the last "}": a model may wrap it
 * in a Markdown fence or a sentence though it was asked not to. */
static gboolean
read_quiz (Quiz       *quiz,
           const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *start = strchr (text, '{');
  const char *end = strrchr (text, '}');
  JsonNode *root;

  if (start == NULL || end == NULL || end < start ||
      !json_parser_load_from_data (parser, start, end - start + 1, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  return JSON_NODE_HOLDS_OBJECT (root) && read_quiz_object (quiz, json_node_get_object (root));
}

/* Posting */

static void
say_printf (SudaService *self,
            const char  *room,
            const char  *format,
            ...) G_GNUC_PRINTF (3, 4);

static void
say_printf (SudaService *self,
            const char  *room,
            const char  *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  _suda_service_say (self, room, text);
}

static void
post_question (SudaService *self,
               Quiz        *quiz,
               const char  *nick,
               guint        seconds)
{
  g_autofree char *how = NULL;

  /* TRANSLATORS: %s is the operator who started it, then the question */
  say_printf (self, quiz->room, _("Quiz from %s: %s"), nick, quiz->question);
  for (guint i = 0; i < N_CHOICES; i++)
    say_printf (self, quiz->room, "%c) %s", 'A' + i, quiz->choices[i]);
  /* TRANSLATORS: keep "answer" untranslated: it is the command */
  how = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Answer privately within %u second: /msg %s answer LETTER",
                                      "Answer privately within %u seconds: /msg %s answer LETTER",
                                      seconds),
                         seconds, self->nick);
  _suda_service_say (self, quiz->room, how);
}

static gint
compare_nicks (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

static void
post_results (SudaService *self,
              Quiz        *quiz)
{
  guint counts[N_CHOICES] = { 0 };
  g_autoptr(GPtrArray) right = g_ptr_array_new ();

  for (guint i = 0; i < quiz->order->len; i++)
    {
      QuizAnswer *answer = g_ptr_array_index (quiz->order, i);

      counts[answer->letter - 'A']++;
      if (answer->letter == quiz->answer)
        g_ptr_array_add (right, answer->nick);
    }

  say_printf (self, quiz->room, _("Time is up! The answer to “%s” is %c) %s"),
              quiz->question, quiz->answer, quiz->choices[quiz->answer - 'A']);
  if (quiz->order->len == 0)
    {
      _suda_service_say (self, quiz->room, _("Nobody answered."));
      return;
    }
  say_printf (self, quiz->room, _("Answers: A %u, B %u, C %u, D %u"),
              counts[0], counts[1], counts[2], counts[3]);
  if (right->len == 0)
    {
      _suda_service_say (self, quiz->room, _("Nobody got it right."));
      return;
    }
  g_ptr_array_sort (right, compare_nicks);
  g_ptr_array_add (right, NULL);
  {
    g_autofree char *names = g_strjoinv (", ", (char **) right->pdata);

    say_printf (self, quiz->room, _("Right: %s"), names);
  }
}

static void
end_quiz (SudaService *self,
          Quiz        *quiz)
{
  quiz->ended = TRUE;
  g_clear_handle_id (&quiz->deadline, g_source_remove);
  post_results (self, quiz);
}

static gboolean
on_deadline (gpointer user_data)
{
  Quiz *quiz = user_data;

  quiz->deadline = 0;
  end_quiz (quiz->service, quiz);
  return G_SOURCE_REMOVE;
}

gboolean
_suda_service_quiz_expire (SudaService *self,
                           const char  *channel)
{
  Quiz *quiz = find_quiz (self, channel);

  if (quiz == NULL || !quiz->ready || quiz->ended)
    return FALSE;
  end_quiz (self, quiz);
  return TRUE;
}

void
_suda_service_quiz_stop (SudaService *self)
{
  if (self->quizzes != NULL)
    g_hash_table_remove_all (self->quizzes);
}

/* Starting one */

static const char quiz_instructions[] =
  "Make one multiple-choice question about the topic the user gives, for a "
  "class. Reply with only a JSON object, without Markdown, of this form: "
  "{\"question\": \"...\", \"choices\": [\"...\", \"...\", \"...\", \"...\"], "
  "\"answer\": \"B\"} with exactly four choices and, as the answer, the letter "
  "(A to D) of the one right choice. Write in the language of the topic.";

static void
quiz_made (SudaService *self,
           QuizAsk     *ask,
           Quiz        *quiz,
           SudaClient  *asker,
           const char  *nick,
           const char  *text)
{
  g_autoptr(SudaLogEntry) entry = NULL;

  if (!read_quiz (quiz, text))
    {
      const char *message = _("The AI did not make a usable quiz question; please try again.");
      g_autofree char *detail = g_strdup_printf ("not a quiz: %.200s", text);

      _suda_service_log_error (self, "quiz", ask->room, nick, message, "bad-quiz", detail);
      drop_quiz (self, ask->room);
      if (asker != NULL)
        _suda_service_notice (self, asker, message);
      return;
    }

  entry = suda_log_entry_new (0, "search", ask->room, nick, quiz->question);
  suda_log_entry_set_field (entry, "command", "quiz");
  suda_log_entry_set_field (entry, "query", ask->topic);
  suda_log_entry_set_field (entry, "outcome", "answered");
  _suda_delivery_log (self->core->delivery, entry);

  quiz->ready = TRUE;
  quiz->answers = g_hash_table_new (g_direct_hash, g_direct_equal);
  quiz->order = g_ptr_array_new_with_free_func ((GDestroyNotify) quiz_answer_free);
  post_question (self, quiz, nick, ask->seconds);
  quiz->deadline = g_timeout_add_seconds (ask->seconds, on_deadline, quiz);
}

static void
on_quiz_made (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(QuizAsk) ask = user_data;
  g_autoptr(SudaService) self = g_weak_ref_get (&ask->service);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  SudaClient *asker = _suda_client_from_session (ask->session);
  const char *nick;
  Quiz *quiz;

  answer = suda_assistant_ask_finish (SUDA_ASSISTANT (object), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* The server stopped meanwhile, and maybe started again. */
  quiz = find_quiz (self, ask->room);
  if (quiz == NULL || quiz->serial != ask->serial)
    return;

  if (_suda_client_is_closing (asker) || asker->nick == NULL)
    asker = NULL;
  nick = asker != NULL ? asker->nick : "?";

  if (answer == NULL)
    {
      if (!g_error_matches (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_RATE_LIMITED))
        _suda_service_log_error (self, "quiz", ask->room, nick, error->message,
                                 suda_assistant_error_get_name (error), suda_assistant_ask_get_detail (result));
      drop_quiz (self, ask->room);
      if (asker != NULL)
        _suda_service_notice (self, asker, error->message);
      return;
    }
  quiz_made (self, ask, quiz, asker, nick, answer->text);
}

/* "TOPIC [SECONDS]": the last word is the time when it is a number. */
static gboolean
parse_quiz_args (const char  *args,
                 char       **topic,
                 guint       *seconds)
{
  const char *last = strrchr (args, ' ');
  guint64 value;

  *seconds = DEFAULT_QUIZ_SECONDS;
  if (last != NULL && g_ascii_string_to_unsigned (last + 1, 10, 0, G_MAXUINT, &value, NULL))
    {
      if (value == 0)
        return FALSE;
      *seconds = MIN (value, MAX_QUIZ_SECONDS);
      *topic = g_strstrip (g_strndup (args, last - args));
    }
  else
    *topic = g_strdup (args);
  return (*topic)[0] != '\0';
}

static gboolean
may_start_quiz (SudaService *self,
                SudaClient  *asker,
                const char  *channel)
{
  Quiz *quiz;

  if (channel == NULL)
    _suda_service_notice (self, asker, _("Start a quiz in a room: !quiz TOPIC [SECONDS]"));
  else if (!_suda_service_client_is_op (self, asker, channel))
    _suda_service_notice (self, asker, _("Only a room operator can start a quiz."));
  else if ((quiz = find_quiz (self, channel)) != NULL && !quiz->ended)
    {
      g_autofree char *text = g_strdup_printf (_("A quiz is already running in %s."), channel);

      _suda_service_notice (self, asker, text);
    }
  else
    return TRUE;
  return FALSE;
}

void
_suda_service_quiz (SudaService *self,
                    SudaClient  *asker,
                    const char  *channel,
                    const char  *args)
{
  SudaAssistantPrompt prompt = { .instructions = quiz_instructions, .cache_key = "" };
  g_autofree char *topic = NULL;
  g_autofree char *rate_key = NULL;
  guint seconds;
  QuizAsk *ask;
  Quiz *quiz;

  g_return_if_fail (SUDA_IS_SERVICE (self));

  if (!may_start_quiz (self, asker, channel))
    return;
  if (!parse_quiz_args (args, &topic, &seconds))
    {
      _suda_service_notice (self, asker, _("Usage: !quiz TOPIC [SECONDS]"));
      return;
    }

  /* The room is taken while the AI makes the question: a second !quiz
   * meanwhile is told so. */
  quiz = g_new0 (Quiz, 1);
  quiz->service = self;
  quiz->room = g_strdup (channel);
  quiz->serial = next_serial++;
  g_hash_table_replace (ensure_quizzes (self), suda_irc_casefold (channel), quiz);

  ask = g_new0 (QuizAsk, 1);
  g_weak_ref_init (&ask->service, self);
  ask->session = g_object_ref (asker->session);
  ask->room = g_strdup (channel);
  ask->serial = quiz->serial;
  ask->seconds = seconds;
  ask->topic = g_strdup (topic);

  /* A quiz is never cached: the same topic twice wants a new question. */
  rate_key = g_strdup_printf ("session-%u", _suda_session_get_id (asker->session));
  suda_assistant_ask_prompt_async (_suda_service_ensure_assistant (self), rate_key, topic, &prompt,
                                   self->searches, on_quiz_made, ask);
}

/* Answering */

/* The running quiz of a room ASKER is in; with none, a notice says why. */
static Quiz *
find_answerable_quiz (SudaService *self,
                      SudaClient  *asker,
                      const char  *room)
{
  Quiz *found = NULL, *ended = NULL;
  guint n_running = 0;
  GHashTableIter iter;
  Quiz *quiz;

  if (self->quizzes != NULL)
    {
      g_hash_table_iter_init (&iter, self->quizzes);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &quiz))
        {
          if (!quiz->ready || (room != NULL && !suda_irc_casefold_equal (room, quiz->room)) ||
              !_suda_service_client_in_channel (self, asker, quiz->room))
            continue;
          if (quiz->ended)
            {
              ended = quiz;
              continue;
            }
          found = quiz;
          n_running++;
        }
    }

  if (n_running == 1)
    return found;
  if (n_running > 1)
    _suda_service_notice (self, asker, _("Quizzes are running in several of your rooms; say which: answer #ROOM LETTER"));
  else if (ended != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The quiz in %s has ended; answers are closed."), ended->room);

      _suda_service_notice (self, asker, text);
    }
  else
    _suda_service_notice (self, asker, _("No quiz is running in your rooms."));
  return NULL;
}

static void
record_answer (SudaService *self,
               Quiz        *quiz,
               SudaClient  *asker,
               char         letter)
{
  gpointer id = GUINT_TO_POINTER (_suda_session_get_id (asker->session));
  QuizAnswer *answer = g_hash_table_lookup (quiz->answers, id);
  g_autofree char *text = NULL;

  /* One answer a person: the last one counts. */
  if (answer != NULL)
    {
      g_free (answer->nick);
      /* TRANSLATORS: %c is the letter, %s the room */
      text = g_strdup_printf (_("Changed your answer to %c for the quiz in %s."), letter, quiz->room);
    }
  else
    {
      answer = g_new0 (QuizAnswer, 1);
      g_hash_table_insert (quiz->answers, id, answer);
      g_ptr_array_add (quiz->order, answer);
      text = g_strdup_printf (_("Got your answer %c for the quiz in %s; you may change it until the time is up."),
                              letter, quiz->room);
    }
  answer->nick = g_strdup (asker->nick);
  answer->letter = letter;
  _suda_service_notice (self, asker, text);
}

void
_suda_service_quiz_answer (SudaService *self,
                           SudaClient  *asker,
                           const char  *channel,
                           const char  *args)
{
  g_auto(GStrv) words = g_strsplit (args, " ", -1);
  const char *room = NULL, *letter = "";
  char upper;
  Quiz *quiz;

  g_return_if_fail (SUDA_IS_SERVICE (self));

  /* An answer said in the room would tell everyone. */
  if (channel != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Send your answer privately: /msg %s answer LETTER"), self->nick);

      _suda_service_notice (self, asker, text);
      return;
    }

  /* "B" or "#room B", however spaced. */
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (words[i][0] == '\0')
        continue;
      if (room == NULL && letter[0] == '\0' && suda_irc_is_channel (words[i]))
        room = words[i];
      else if (letter[0] == '\0')
        letter = words[i];
      else
        letter = "?";
    }
  upper = g_ascii_toupper (letter[0]);
  if (upper < 'A' || upper >= 'A' + N_CHOICES || (letter[1] != '\0' && !g_str_equal (letter + 1, ")")))
    {
      _suda_service_notice (self, asker, _("Answer with one letter from A to D, such as “answer B”."));
      return;
    }

  quiz = find_answerable_quiz (self, asker, room);
  if (quiz != NULL)
    record_answer (self, quiz, asker, upper);
}
