/*
 * repl.c - readline behind the live view (see repl.h).
 *
 * readline keeps its state in globals and calls back without a user
 * pointer, so the little state this file adds is static too: it is part of
 * the terminal state the live view owns. Terminal preparation, signal and
 * SIGWINCH handling are all switched off; curses does those.
 */
#include "allocscope/repl.h"

#include <errno.h>
#include <fcntl.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocscope/interp.h"
#include "allocscope/lineio.h"

#define QUEUE_SIZE 64
#define MAX_CANDIDATES 512
#define HISTORY_KEEP 2000 /* lines of history kept */

static struct {
    unsigned char queue[QUEUE_SIZE];
    size_t head, count;
    repl_line_fn on_line;
    void *user;
    const session *s;
    char *history_path;
    char history_problem[600]; /* why the history file is not used, or "" */
    char prompt[64];
    bool dirty;
    strbuf matches;
    const char *candidates[MAX_CANDIDATES];
    size_t candidate_count;
    FILE *null_out;
    strbuf pending;            /* this run's lines not yet in the history file */
} R;

static int repl_getc(FILE *f)
{
    (void)f;
    if (R.count == 0)
        return EOF;
    unsigned char c = R.queue[R.head];
    R.head = (R.head + 1) % QUEUE_SIZE;
    R.count--;
    return c;
}

static int input_available(void) { return R.count > 0; }
static void redisplay(void) { R.dirty = true; }
static void prep_term(int meta) { (void)meta; }
static void deprep_term(void) {}

static void handle_line(char *line)
{
    if (line && *line) {
        HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
        if (last == NULL || strcmp(last->line, line) != 0)
        {
            add_history(line);
            sb_printf(&R.pending, "%s\n", line);
        }
    }
    R.dirty = true;
    if (R.on_line)
        R.on_line(R.user, line);
    free(line);
}

/* ---- completion ---- */

/* Chooses what may complete the word that starts at `start`: the
 * interpreter knows which words follow which command. */
static void gather(int start)
{
    R.candidate_count = interp_complete(R.s, rl_line_buffer, (size_t)start, R.candidates, MAX_CANDIDATES);
}

static char *generator(const char *text, int state)
{
    static size_t next;
    if (state == 0)
        next = 0;
    size_t len = strlen(text);
    while (next < R.candidate_count) {
        const char *c = R.candidates[next++];
        if (strncmp(c, text, len) == 0)
            return strdup(c);
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    rl_attempted_completion_over = 1;
    gather(start);
    return rl_completion_matches(text, generator);
}

static void display_matches(char **matches, int count, int longest)
{
    (void)longest;
    sb_clear(&R.matches);
    for (int i = 1; i <= count; i++) {
        sb_add(&R.matches, matches[i]);
        sb_addc(&R.matches, ' ');
    }
    R.dirty = true;
}

/* ---- lifecycle ---- */

/* Reads the history file through lineio: only a regular file (a FIFO or a
 * device would hang or never end), bounded, bad lines skipped. A path that
 * does not exist yet is kept (written at close); any other problem drops
 * the history file for this run and is kept for repl_history_problem. */
static void load_history(const char *path)
{
    strbuf err;
    sb_init(&err);
    lineio *r = lineio_open(path, 0, &err);
    if (r == NULL) {
        if (access(path, F_OK) == 0 || errno != ENOENT) {
            snprintf(R.history_problem, sizeof R.history_problem, "history not kept: %s", sb_str(&err));
            free(R.history_path);
            R.history_path = NULL;
        }
        sb_free(&err);
        return;
    }
    sb_free(&err);
    const char *line, *why;
    size_t len;
    lineio_status st;
    while ((st = lineio_next(r, &line, &len, &why)) != LINEIO_EOF && st != LINEIO_ERROR)
        if (st == LINEIO_LINE && len > 0)
            add_history(line);
    lineio_close(r);
}

const char *repl_history_problem(void)
{
    return R.history_problem[0] ? R.history_problem : NULL;
}

void repl_open(const char *history_path, repl_line_fn on_line, void *user)
{
    memset(&R, 0, sizeof R);
    R.on_line = on_line;
    R.user = user;
    sb_init(&R.matches);
    sb_init(&R.pending);
    snprintf(R.prompt, sizeof R.prompt, "> ");
    R.null_out = fopen("/dev/null", "w");
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_prep_term_function = prep_term;
    rl_deprep_term_function = deprep_term;
    rl_getc_function = repl_getc;
    rl_input_available_hook = input_available;
    rl_redisplay_function = redisplay;
    rl_outstream = R.null_out ? R.null_out : stdout;
    rl_attempted_completion_function = complete;
    rl_completion_display_matches_hook = display_matches;
    rl_readline_name = "allocscope";
    using_history();
    stifle_history(HISTORY_KEEP);
    if (history_path) {
        R.history_path = strdup(history_path);
        if (R.history_path)
            load_history(history_path);
    }
    rl_callback_handler_install(R.prompt, handle_line);
}

/* Appends this run's lines to the history file in one write (another live
 * view sharing the file keeps its own lines: nothing is rewritten but the
 * trim to the last HISTORY_KEEP lines), only to a regular file, and says
 * why when it cannot (repl_history_problem). */
bool repl_save_history(void)
{
    if (R.history_path == NULL || R.pending.len == 0)
        return true;
    const char *why = NULL;
    int fd = open(R.history_path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0)
        why = strerror(errno);
    else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        why = "not a regular file";
    size_t done = 0;
    while (why == NULL && done < R.pending.len) {
        ssize_t n = write(fd, sb_str(&R.pending) + done, R.pending.len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            why = n < 0 ? strerror(errno) : "nothing written";
        else
            done += (size_t)n;
    }
    if (fd >= 0 && close(fd) != 0 && why == NULL)
        why = strerror(errno);
    if (why) {
        snprintf(R.history_problem, sizeof R.history_problem, "history not saved to %s: %s", R.history_path,
                 why);
        return false;
    }
    sb_clear(&R.pending);
    history_truncate_file(R.history_path, HISTORY_KEEP);
    return true;
}

void repl_close(void)
{
    rl_callback_handler_remove();
    if (R.history_path) {
        repl_save_history();
        free(R.history_path);
        R.history_path = NULL;
    }
    sb_free(&R.pending);
    sb_free(&R.matches);
    if (R.null_out)
        fclose(R.null_out);
    R.null_out = NULL;
}

void repl_set_session(const session *s) { R.s = s; }

void repl_set_prompt(const char *prompt)
{
    if (strcmp(prompt, R.prompt) == 0)
        return;
    snprintf(R.prompt, sizeof R.prompt, "%s", prompt);
    rl_set_prompt(R.prompt);
    R.dirty = true;
}

void repl_feed(const char *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (bytes[i] == '\0')
            continue;
        if (R.count == QUEUE_SIZE)
            rl_callback_read_char(); /* makes room */
        R.queue[(R.head + R.count) % QUEUE_SIZE] = (unsigned char)bytes[i];
        R.count++;
    }
    while (R.count > 0)
        rl_callback_read_char();
}

void repl_cancel_line(void)
{
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    sb_clear(&R.matches);
    R.dirty = true;
}

const char *repl_prompt(void) { return R.prompt; }
const char *repl_line(void) { return rl_line_buffer ? rl_line_buffer : ""; }
size_t repl_cursor(void) { return rl_point > 0 ? (size_t)rl_point : 0; }

bool repl_take_dirty(void)
{
    bool d = R.dirty;
    R.dirty = false;
    return d;
}

const char *repl_matches(void) { return sb_str(&R.matches); }
void repl_clear_matches(void) { sb_clear(&R.matches); }
