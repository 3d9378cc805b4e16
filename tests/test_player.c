/* test_player.c - scene playback without a terminal: steps, marks, and
 * stepping back that rebuilds the state exactly. */
#include <glob.h>

#include "sessionkit.h"
#include "allocscope/player.h"
#include "allocscope/scenes.h"

static const char scene[] =
    "# a comment\n"
    "note one\n"
    "new freelist 1024\n"
    "\n"
    "alloc 100 as a\n"
    "struct P {\n"
    "  u8 x;\n"
    "  u32 y;\n"
    "}\n"
    "pause\n"
    "alloc P as p\n"
    "note two\n"
    "free a\n"
    "expect live 5\n"
    "alloc 8 as z\n";

/* Fast play runs many steps at once and stops where asked; the state is
 * the one stepping one by one reaches. */
static void test_fast_play_and_next_failure(void **state)
{
    static const char text[] =
        "new freelist 1024\n"
        "alloc 100 as a\n"
        "alloc 100 as b\n"
        "free a\n"
        "free a\n"              /* step 5: a warning (double free) */
        "alloc 8 as c\n"
        "note half way\n"        /* step 7 */
        "alloc 2000 as big\n"    /* step 8: out of memory, a warning */
        "pause\n"
        "free nothing\n"         /* step 10: an error */
        "alloc 8 as d\n";
    strbuf err;
    sb_init(&err);
    player *p = player_from_text("t", text, &err);
    assert_non_null(p);
    assert_int_equal(player_run(p, 3, PLAYER_STOP_PAUSE | PLAYER_STOP_ERROR), 3);
    assert_int_equal(player_position(p), 3);
    assert_true(player_next_failure(p));
    assert_int_equal(player_position(p), 5);
    assert_non_null(strstr(player_answer(p), "double free"));
    assert_int_equal(player_run(p, 100, PLAYER_STOP_NOTE), 2);
    assert_string_equal(player_caption(p), "half way");
    assert_true(player_next_failure(p));
    assert_int_equal(player_position(p), 8);
    assert_int_equal(player_run(p, 100, PLAYER_STOP_PAUSE | PLAYER_STOP_ERROR), 1);
    assert_int_equal(player_position(p), 9);
    assert_int_equal(player_run(p, 100, PLAYER_STOP_PAUSE | PLAYER_STOP_ERROR), 1);
    assert_true(player_failed(p));
    assert_int_equal(player_position(p), 10);
    assert_false(player_next_failure(p)); /* the end comes first */
    assert_int_equal(player_position(p), 11);
    char *fast = sk_state(player_session(p));
    player *q = player_from_text("t", text, &err);
    while (player_next(q))
        ;
    char *slow = sk_state(player_session(q));
    assert_string_equal(fast, slow);
    free(fast);
    free(slow);
    player_close(p);
    player_close(q);
    sb_free(&err);
}

static void test_steps_and_marks(void **state)
{
    strbuf err;
    sb_init(&err);
    player *p = player_from_text("t", scene, &err);
    assert_non_null(p);
    assert_int_equal(player_length(p), 10);
    assert_int_equal(player_step_at(p, 3)->kind, PLAYER_COMMAND);
    assert_int_equal(player_step_at(p, 3)->line, 6);
    assert_int_equal(player_step_at(p, 4)->kind, PLAYER_PAUSE);
    player_next_mark(p);
    assert_int_equal(player_position(p), 1);
    assert_string_equal(player_caption(p), "one");
    player_next_mark(p);
    assert_int_equal(player_position(p), 5);
    player_next_mark(p);
    assert_int_equal(player_position(p), 7);
    assert_string_equal(player_caption(p), "two");
    player_prev_mark(p);
    assert_int_equal(player_position(p), 5);
    player_close(p);
    sb_free(&err);
}

static void test_back_is_exact_and_problems_are_kept(void **state)
{
    strbuf err;
    sb_init(&err);
    player *p = player_from_text("t", scene, &err);
    char *states[11];
    states[0] = sk_state(player_session(p));
    for (size_t i = 1; i <= player_length(p); i++) {
        assert_true(player_next(p));
        states[i] = sk_state(player_session(p));
        if (i == 9)
            assert_true(player_failed(p)); /* expect live 5 */
    }
    assert_false(player_next(p));
    assert_non_null(strstr(player_problems(p), "14: expect failed: live: expected 5, found 1"));
    for (size_t k = player_length(p) + 1; k-- > 0;) {
        assert_true(player_seek(p, k));
        char *now = sk_state(player_session(p));
        assert_string_equal(now, states[k]);
        free(now);
    }
    for (size_t k = 0; k <= player_length(p); k++)
        free(states[k]);
    assert_false(player_seek(p, 99));
    player_close(p);
    assert_null(player_from_text("empty", "# nothing\n\n", &err));
    assert_null(player_open("/nonexistent/scene.as", &err));
    sb_free(&err);
}

/* Every scene of the library plays to the end without a problem, and every
 * step back lands on exactly the state the forward pass had there. */
static void test_every_scene_forward_and_back(void **state)
{
    glob_t g;
    assert_int_equal(glob("scenes/*.as", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 12);
    for (size_t f = 0; f < g.gl_pathc; f++) {
        strbuf err;
        sb_init(&err);
        player *p = player_open(g.gl_pathv[f], &err);
        assert_non_null(p);
        size_t n = player_length(p);
        char **states = calloc(n + 1, sizeof *states);
        states[0] = sk_state(player_session(p));
        for (size_t i = 1; i <= n; i++) {
            assert_true(player_next(p));
            states[i] = sk_state(player_session(p));
        }
        if (*player_problems(p))
            fail_msg("%s: %s", g.gl_pathv[f], player_problems(p));
        for (size_t k = n; k-- > 0;) {
            assert_true(player_prev(p));
            char *now = sk_state(player_session(p));
            if (strcmp(now, states[k]) != 0)
                fail_msg("%s: stepping back to %zu differs from the forward pass", g.gl_pathv[f], k);
            free(now);
        }
        for (size_t k = 0; k <= n; k++)
            free(states[k]);
        free(states);
        player_close(p);
        sb_free(&err);
    }
    globfree(&g);
}

/* Checkpoints: with one after every step, every scene seeks to positions
 * in a scrambled order (back, forward, far, near) and lands exactly on the
 * forward pass's state and step count each time; checkpoints were used. */
static void test_every_scene_seeks_through_checkpoints(void **state)
{
    glob_t g;
    assert_int_equal(glob("scenes/*.as", 0, NULL, &g), 0);
    size_t with_checkpoints = 0;
    for (size_t f = 0; f < g.gl_pathc; f++) {
        strbuf err;
        sb_init(&err);
        player *p = player_open(g.gl_pathv[f], &err);
        assert_non_null(p);
        player_set_checkpoint_gap(p, 0);
        size_t n = player_length(p);
        char **states = calloc(n + 1, sizeof *states);
        size_t *steps = calloc(n + 1, sizeof *steps);
        states[0] = sk_state(player_session(p));
        /* a third scouts the whole scene ahead in idle time first, a third
         * only its first steps (the scout is cut short by the seeks) */
        if (f % 3 == 1)
            while (player_idle(p, 7))
                ;
        else if (f % 3 == 2)
            player_idle(p, 3);
        for (size_t i = 1; i <= n; i++) {
            assert_true(player_next(p));
            states[i] = sk_state(player_session(p));
            steps[i] = session_step(player_session(p));
        }
        with_checkpoints += player_checkpoints(p, NULL) > 0;
        uint64_t x = 0x9e3779b97f4a7c15u + f;
        for (size_t k = 0; k < 3 * n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t to = k % 3 == 2 ? n - k % n : (size_t)(x % (n + 1));
            assert_true(player_seek(p, to));
            char *now = sk_state(player_session(p));
            if (strcmp(now, states[to]) != 0 || session_step(player_session(p)) != steps[to])
                fail_msg("%s: seek to %zu (the %zu-th) differs from the forward pass:\n%s\nvs\n%s",
                         g.gl_pathv[f], to, k, now, states[to]);
            free(now);
        }
        for (size_t k = 0; k <= n; k++)
            free(states[k]);
        free(states);
        free(steps);
        player_close(p);
        sb_free(&err);
    }
    assert_true(with_checkpoints >= g.gl_pathc / 2);
    globfree(&g);
}

/* Idle time plays the scene ahead on a session of its own (the scout):
 * with a checkpoint after every step it leaves one at every position, and
 * a jump far ahead lands exactly where a plain forward pass does. A scene
 * that loads a library is not played ahead. */
static void test_idle_scouts_ahead(void **state)
{
    strbuf text, err;
    sb_init(&text);
    sb_init(&err);
    sb_add(&text, "new freelist 64K\n");
    for (int i = 0; i < 199; i++)
        sb_printf(&text, i % 3 == 2 ? "free b%d\n" : "alloc %d as b%d\n", i % 3 == 2 ? i - 1 : 8 + i, i);
    player *p = player_from_text("scout", sb_str(&text), &err);
    player *plain = player_from_text("plain", sb_str(&text), &err);
    assert_non_null(p);
    assert_non_null(plain);
    player_set_checkpoint_gap(p, 0);
    size_t slices = 0;
    while (player_idle(p, 16))
        slices++;
    assert_true(slices >= 200 / 16 - 1);
    assert_int_equal(player_position(p), 0);          /* what is shown did not move */
    assert_int_equal(player_checkpoints(p, NULL), 200); /* after steps 1 .. 200 */
    assert_false(player_idle(p, 16));                /* done: nothing more to do */
    size_t to[] = {150, 20, 199, 1, 0, 200, 77};
    for (size_t k = 0; k < sizeof to / sizeof *to; k++) {
        assert_true(player_seek(p, to[k]));
        assert_true(player_seek(plain, to[k]));
        char *a = sk_state(player_session(p)), *b = sk_state(player_session(plain));
        assert_string_equal(a, b);
        assert_int_equal(session_step(player_session(p)), session_step(player_session(plain)));
        free(a);
        free(b);
    }
    player_close(plain);
    player_close(p);
    /* a step that touches files is not run ahead: the scout stops before it,
     * and what is shown takes over the checkpoints from there */
    sb_clear(&text);
    sb_add(&text, "new freelist 64K\n");
    for (int i = 0; i < 100; i++)
        sb_printf(&text, "alloc %d as c%d\n", 8 + i, i);
    sb_add(&text, "scenes\n");
    for (int i = 0; i < 100; i++)
        sb_printf(&text, i % 2 ? "free c%d\n" : "alloc 8 as d%d\n", i);
    p = player_from_text("files", sb_str(&text), &err);
    plain = player_from_text("plain", sb_str(&text), &err);
    player_set_checkpoint_gap(p, 0);
    while (player_idle(p, 16))
        ;
    assert_int_equal(player_checkpoints(p, NULL), 101); /* after steps 1 .. 101, not past `scenes` */
    assert_true(player_seek(p, player_length(p)));
    assert_int_equal(player_checkpoints(p, NULL), player_length(p));
    for (size_t k = 0; k < sizeof to / sizeof *to; k++) {
        assert_true(player_seek(p, to[k]));
        assert_true(player_seek(plain, to[k]));
        char *a = sk_state(player_session(p)), *b = sk_state(player_session(plain));
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    player_close(plain);
    player_close(p);
    player *lib = player_from_text("lib", "new plugin nothing.so\nnote x\n", &err);
    assert_non_null(lib);
    assert_false(player_idle(lib, 16));
    assert_int_equal(player_checkpoints(lib, NULL), 0);
    player_close(lib);
    sb_free(&text);
    sb_free(&err);
}

/* ask is a caption step of its own kind; notes dwell by their words,
 * expects take no time, the rest a step; all scale with the pace. */
static void test_ask_dwell_and_expect(void **state)
{
    strbuf err;
    sb_init(&err);
    player *p = player_from_text("t", "note one two three four five\nask Where will it land?\n"
                                      "new bump 64\nexpect live 0\nexpected\n", &err);
    assert_non_null(p);
    assert_int_equal(player_step_at(p, 1)->kind, PLAYER_ASK);
    assert_string_equal(player_step_caption(player_step_at(p, 1)), "Where will it land?");
    assert_true(player_next(p) && player_next(p));
    assert_string_equal(player_caption(p), "Where will it land?");
    assert_string_equal(player_answer(p), "ask: Where will it land?\n");
    assert_int_equal(player_dwell_ms(player_step_at(p, 0), PLAYER_PACE_MS), 1000 + 5 * 400);
    assert_int_equal(player_dwell_ms(player_step_at(p, 0), PLAYER_PACE_MS / 2), (1000 + 5 * 400) / 2);
    assert_int_equal(player_dwell_ms(player_step_at(p, 2), 700), 700);
    assert_true(player_step_is_expect(player_step_at(p, 3)));
    assert_int_equal(player_dwell_ms(player_step_at(p, 3), 700), 0);
    assert_false(player_step_is_expect(player_step_at(p, 4))); /* another word */
    /* a slow pace makes a note slower too */
    player *q = player_from_text("t", "note x\n", &err);
    assert_int_equal(player_dwell_ms(player_step_at(q, 0), 5 * PLAYER_PACE_MS), 5 * 1400);
    player_close(q);
    player_close(p);
    sb_free(&err);
}

/* Shipped scenes by name: exactly, without .as, or by a prefix only one
 * has; the summary is the first comment line after "Scene N:". */
static void test_scenes_by_name(void **state)
{
    setenv("ALLOCSCOPE_SCENES", "scenes", 1);
    strbuf path, err, list;
    sb_init(&path);
    sb_init(&err);
    sb_init(&list);
    assert_true(scenes_find("02_alignment", &path, &err));
    assert_string_equal(sb_str(&path), "scenes/02_alignment.as");
    sb_clear(&path);
    assert_true(scenes_find("13", &path, &err));
    assert_string_equal(sb_str(&path), "scenes/13_struct_padding.as");
    sb_clear(&path);
    assert_false(scenes_find("1", &path, &err)); /* 01, 10, 11 ... */
    assert_non_null(strstr(sb_str(&err), "no scene '1'"));
    sb_clear(&err);
    assert_false(scenes_find("no/such.as", &path, &err));
    assert_true(scenes_list(&list));
    assert_non_null(strstr(sb_str(&list), "  02_alignment             alignment - where padding comes from"));
    sb_clear(&list);
    scenes_summary("# Scene 9: a stack.\nnote x\n", &list);
    assert_string_equal(sb_str(&list), "a stack.");
    sb_clear(&list);
    scenes_summary("note no comment\n", &list);
    assert_string_equal(sb_str(&list), "");
    /* play without a front end runs the scene in the session, as source does */
    session *s = session_create();
    sb_clear(&list);
    assert_int_equal(interp_execute(s, "play 02_alignment", &list).status, SESSION_OK);
    assert_int_equal(session_allocator_count(s), 3);
    assert_non_null(strstr(sb_str(&list), "ask: A 1-byte flag sits at offset 0."));
    sb_clear(&list);
    assert_int_equal(interp_execute(s, "play no_such_scene", &list).status, SESSION_ERROR);
    assert_non_null(strstr(sb_str(&list), "no scene 'no_such_scene'"));
    sb_clear(&list);
    assert_int_equal(interp_execute(s, "scenes", &list).status, SESSION_OK);
    assert_non_null(strstr(sb_str(&list), "13_struct_padding"));
    interp_set_sandbox(s, true);
    sb_clear(&list);
    assert_int_equal(interp_execute(s, "play 02_alignment", &list).status, SESSION_ERROR);
    session_destroy(s);
    sb_free(&path);
    sb_free(&err);
    sb_free(&list);
    unsetenv("ALLOCSCOPE_SCENES");
}

/* A name whose first allocation failed holds NULL in a checkpoint too:
 * stepped back to (every step checkpointed) from after a block took the
 * name, its free does nothing, as when played straight. */
static void test_null_name_survives_checkpoints(void **state)
{
    static const char text[] = "new freelist 256\nalloc 5000 as big\nalloc 16 as a\nfree a\nalloc 16 as b\n"
                               "free b\nfree big\nalloc 16 as big\n";
    strbuf err;
    sb_init(&err);
    player *p = player_from_text("t", text, &err);
    assert_non_null(p);
    player_set_checkpoint_gap(p, 0);
    while (player_next(p))
        ;
    assert_non_null(strstr(player_answer(p), "#3 big")); /* the name has a block now */
    assert_true(player_seek(p, 2));
    assert_true(player_seek(p, 6));
    assert_true(player_next(p));
    assert_non_null(strstr(player_answer(p), "nothing to free: the allocation named big failed"));
    assert_false(player_failed(p));
    player_close(p);
    sb_free(&err);
}

int main(int argc, char **argv)
{
    /* scenes load plugins by name: build/plugins, beside build/tests */
    char self[4096], plugins[4200];
    snprintf(self, sizeof self, "%s", argc > 0 ? argv[0] : ".");
    char *slash = strrchr(self, '/');
    snprintf(plugins, sizeof plugins, "%s/../plugins", slash ? (*slash = '\0', self) : ".");
    setenv("ALLOCSCOPE_PLUGIN_PATH", plugins, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_name_survives_checkpoints),
        cmocka_unit_test(test_steps_and_marks),
        cmocka_unit_test(test_fast_play_and_next_failure),
        cmocka_unit_test(test_ask_dwell_and_expect),
        cmocka_unit_test(test_scenes_by_name),
        cmocka_unit_test(test_back_is_exact_and_problems_are_kept),
        cmocka_unit_test(test_every_scene_forward_and_back),
        cmocka_unit_test(test_every_scene_seeks_through_checkpoints),
        cmocka_unit_test(test_idle_scouts_ahead),
    };
    return cmocka_run_group_tests_name("player", tests, NULL, NULL);
}
