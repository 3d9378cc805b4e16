/*
 * test_types.c - struct layout, checked against the C compiler itself: a
 * few hundred random struct definitions (primitives, arrays, structs
 * nested from earlier ones) are written out as C that prints sizeof,
 * _Alignof and offsetof of everything; the system compiler builds and runs
 * it, and allocscope's layout must agree field by field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "allocscope/types.h"

#define STRUCTS 300

static const struct {
    const char *ours, *c;
} prims[] = {
    {"u8", "uint8_t"},   {"i8", "int8_t"},     {"bool", "_Bool"},   {"u16", "uint16_t"},
    {"i16", "int16_t"},  {"u32", "uint32_t"},  {"i32", "int32_t"},  {"f32", "float"},
    {"u64", "uint64_t"}, {"i64", "int64_t"},   {"f64", "double"},   {"usize", "size_t"},
    {"ptr", "void *"},   {"u128", "unsigned __int128"}, {"i128", "__int128"}, {"int", "int"},
    {"char", "char"},    {"short", "short"},   {"long", "long"},
};
#define NPRIMS (sizeof prims / sizeof prims[0])

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_layout_agrees_with_the_compiler(void **state)
{
    types_registry *reg = types_create();
    strbuf c, err;
    sb_init(&c);
    sb_init(&err);
    sb_add(&c, "#include <stdio.h>\n#include <stddef.h>\n#include <stdint.h>\n");
    strbuf prints;
    sb_init(&prints);
    uint64_t seed = 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < STRUCTS; i++) {
        strbuf ours;
        sb_init(&ours);
        int fields = 1 + (int)(rnd(&seed) % 7);
        sb_printf(&ours, "struct S%d {", i);
        sb_printf(&c, "struct S%d {", i);
        for (int k = 0; k < fields; k++) {
            bool nested = i > 0 && rnd(&seed) % 5 == 0;
            int other = nested ? (int)(rnd(&seed) % (uint64_t)i) : 0;
            size_t p = rnd(&seed) % NPRIMS;
            size_t count = rnd(&seed) % 4 == 0 ? 1 + rnd(&seed) % 5 : 0;
            char arr[16] = "";
            if (count)
                snprintf(arr, sizeof arr, "[%zu]", count);
            if (nested) {
                sb_printf(&ours, " S%d f%d%s;", other, k, arr);
                sb_printf(&c, " struct S%d f%d%s;", other, k, arr);
            } else {
                sb_printf(&ours, " %s f%d%s;", prims[p].ours, k, arr);
                sb_printf(&c, " %s f%d%s;", prims[p].c, k, arr);
            }
            sb_printf(&prints, "printf(\"S%d f%d %%zu\\n\", offsetof(struct S%d, f%d));\n", i, k, i, k);
        }
        sb_add(&ours, " }");
        sb_add(&c, " };\n");
        sb_printf(&prints, "printf(\"S%d size %%zu align %%zu\\n\", sizeof(struct S%d), _Alignof(struct S%d));\n",
                  i, i, i);
        if (!types_define(reg, sb_str(&ours), &err))
            fail_msg("%s: %s", sb_str(&ours), sb_str(&err));
        sb_free(&ours);
    }
    sb_printf(&c, "int main(void) {\n%s return 0;\n}\n", sb_str(&prints));
    char dir[] = "/tmp/allocscope-oracle-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char src[96], bin[96], cmd[512];
    snprintf(src, sizeof src, "%s/s.c", dir);
    snprintf(bin, sizeof bin, "%s/s", dir);
    FILE *f = fopen(src, "w");
    assert_non_null(f);
    fputs(sb_str(&c), f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cc -std=c11 -o %s %s && %s", bin, src, bin);
    FILE *run = popen(cmd, "r");
    assert_non_null(run);
    char line[256];
    size_t checked = 0;
    while (fgets(line, sizeof line, run)) {
        int si, fi;
        size_t a, b;
        char name[16];
        const types_struct *t;
        if (sscanf(line, "S%d size %zu align %zu", &si, &a, &b) == 3) {
            snprintf(name, sizeof name, "S%d", si);
            assert_non_null(t = types_find(reg, name));
            if (t->size != a || t->align != b)
                fail_msg("%s: compiler says size %zu align %zu, allocscope %zu %zu", name, a, b, t->size, t->align);
            checked++;
        } else if (sscanf(line, "S%d f%d %zu", &si, &fi, &a) == 3) {
            snprintf(name, sizeof name, "S%d", si);
            assert_non_null(t = types_find(reg, name));
            if (t->fields[fi].offset != a)
                fail_msg("%s.f%d: compiler says offset %zu, allocscope %zu", name, fi, a, t->fields[fi].offset);
            checked++;
        }
    }
    assert_int_equal(pclose(run), 0);
    assert_true(checked > STRUCTS * 2);
    unlink(src);
    unlink(bin);
    rmdir(dir);
    sb_free(&c);
    sb_free(&prints);
    sb_free(&err);
    types_destroy(reg);
}

static void test_bad_definitions(void **state)
{
    static const char *const bad[] = {
        "struct A { blob x; }",            /* unknown type */
        "struct B { u8 a; u16 a; }",       /* duplicate field */
        "struct C { C self; }",            /* recursive */
        "struct D { }",                    /* empty */
        "struct E { u8 big[18446744073709551615]; u8 more[2]; }", /* overflow */
        "struct F { u8 a }",               /* missing ; */
        "struct u32 { u8 a; }",            /* a primitive's name */
        "struct { u8 a; }",                /* no name */
        "union U { u8 a; }",               /* not a struct */
        "struct G { u8 a; } extra",
    };
    types_registry *reg = types_create();
    strbuf err;
    sb_init(&err);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sb_clear(&err);
        if (types_define(reg, bad[i], &err))
            fail_msg("'%s' was accepted", bad[i]);
        assert_true(err.len > 0);
    }
    assert_int_equal(types_count(reg), 0);
    sb_free(&err);
    types_destroy(reg);
}

static void test_padding_and_reordering(void **state)
{
    types_registry *reg = types_create();
    strbuf err;
    sb_init(&err);
    assert_true(types_define(reg, "struct Entity { u32 id; f32 x; f32 y; i32 health; bool active; }", &err));
    const types_struct *e = types_find(reg, "Entity");
    assert_int_equal(e->size, 20);
    assert_int_equal(types_padding(e), 3);
    assert_true(types_define(reg, "struct W { u8 a; u64 b; u8 c; u32 d; }", &err));
    const types_struct *w = types_find(reg, "W");
    assert_int_equal(w->size, 24);
    assert_int_equal(types_reordered_size(reg, w), 16);
    assert_true(types_define(reg, "packed struct P { u8 a; u64 b; }", &err));
    assert_int_equal(types_find(reg, "P")->size, 9);
    assert_int_equal(types_find(reg, "P")->fields[1].offset, 1);
    size_t size, align;
    assert_true(types_resolve(reg, "Entity[3]", &size, &align, &err));
    assert_int_equal(size, 60);
    assert_int_equal(align, 4);
    assert_false(types_resolve(reg, "Entity[", &size, &align, &err));
    sb_free(&err);
    types_destroy(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_agrees_with_the_compiler),
        cmocka_unit_test(test_bad_definitions),
        cmocka_unit_test(test_padding_and_reordering),
    };
    return cmocka_run_group_tests_name("types", tests, NULL, NULL);
}
