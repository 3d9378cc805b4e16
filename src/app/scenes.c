/*
 * scenes.c - finding the shipped scenes and their summaries (see scenes.h).
 */
#include "allocscope/scenes.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SCENES_DATADIR
#define SCENES_DATADIR "/usr/local/share/allocscope/scenes"
#endif

#define SCENE_DIRS 6

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The scene directories in the order they are searched; returns how many
 * (each dirs[i] is PATH_MAX bytes). */
static int scene_dirs(char dirs[SCENE_DIRS][PATH_MAX])
{
    int n = 0;
    const char *env = getenv("ALLOCSCOPE_SCENES");
    if (env && *env)
        snprintf(dirs[n++], PATH_MAX, "%s", env);
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        snprintf(dirs[n++], PATH_MAX, "%.*s/scenes", PATH_MAX - 16, exe);
        snprintf(dirs[n++], PATH_MAX, "%.*s/../scenes", PATH_MAX - 16, exe);
        snprintf(dirs[n++], PATH_MAX, "%.*s/../share/allocscope/scenes", PATH_MAX - 32, exe);
    }
#ifdef SCENES_SRCDIR
    snprintf(dirs[n++], PATH_MAX, "%s", SCENES_SRCDIR);
#endif
    snprintf(dirs[n++], PATH_MAX, "%s", SCENES_DATADIR);
    return n;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The .as files of dir, sorted; *count of them (free with free_names). */
static char **scene_files(const char *dir, size_t *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".as") != 0 || e->d_name[0] == '.')
            continue;
        if (*count == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = realloc(names, cap * sizeof *grown);
            if (grown == NULL)
                break;
            names = grown;
        }
        if ((names[*count] = strdup(e->d_name)) != NULL)
            (*count)++;
    }
    closedir(d);
    if (*count)
        qsort(names, *count, sizeof *names, by_name);
    return names;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* name in dir: exactly, with .as added, or the one scene it begins. */
static bool find_in(const char *dir, const char *name, strbuf *path)
{
    char try[PATH_MAX];
    snprintf(try, sizeof try, "%.2000s/%.2000s", dir, name);
    if (is_file(try)) {
        sb_add(path, try);
        return true;
    }
    snprintf(try, sizeof try, "%.2000s/%.2000s.as", dir, name);
    if (is_file(try)) {
        sb_add(path, try);
        return true;
    }
    size_t count, hits = 0, hit = 0;
    char **names = scene_files(dir, &count);
    for (size_t i = 0; i < count; i++)
        if (strncmp(names[i], name, strlen(name)) == 0)
            hits++, hit = i;
    if (hits == 1)
        sb_printf(path, "%s/%s", dir, names[hit]);
    free_names(names, count);
    return hits == 1;
}

bool scenes_find(const char *name, strbuf *path, strbuf *err)
{
    if (is_file(name)) {
        sb_add(path, name);
        return true;
    }
    if (*name == '\0' || strchr(name, '/') != NULL) {
        sb_printf(err, "cannot open %s", name);
        return false;
    }
    char dirs[SCENE_DIRS][PATH_MAX];
    int n = scene_dirs(dirs);
    for (int i = 0; i < n; i++)
        if (is_dir(dirs[i]) && find_in(dirs[i], name, path))
            return true;
    sb_printf(err, "no scene '%s' (not a file, nor a scene in", name);
    for (int i = 0; i < n; i++)
        sb_printf(err, "%s %s", i ? "," : "", dirs[i]);
    sb_add(err, "; scenes lists them)");
    return false;
}

void scenes_summary(const char *text, strbuf *out)
{
    if (strncmp(text, "#", 1) != 0)
        return;
    size_t n = strcspn(text, "\n");
    const char *colon = memchr(text, ':', n);
    const char *from = colon ? colon + 1 : text + 1;
    from += strspn(from, " \t");
    sb_printf(out, "%.*s", (int)(text + n - from), from);
}

bool scenes_list(strbuf *out)
{
    char dirs[SCENE_DIRS][PATH_MAX];
    int n = scene_dirs(dirs);
    for (int i = 0; i < n; i++) {
        size_t count;
        char **names = scene_files(dirs[i], &count);
        if (count == 0) {
            free_names(names, count);
            continue;
        }
        char real[PATH_MAX];
        sb_printf(out, "scenes in %s (play NAME, or allocscope --play NAME):\n",
                  realpath(dirs[i], real) ? real : dirs[i]);
        for (size_t k = 0; k < count; k++) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%.2000s/%.1000s", dirs[i], names[k]);
            strbuf text, err, summary;
            sb_init(&text);
            sb_init(&err);
            sb_init(&summary);
            if (sb_read_file(&text, path, (size_t)1 << 20, &err))
                scenes_summary(sb_str(&text), &summary);
            sb_printf(out, "  %-24.*s %s\n", (int)(strlen(names[k]) - 3), names[k], sb_str(&summary));
            sb_free(&text);
            sb_free(&err);
            sb_free(&summary);
        }
        free_names(names, count);
        return true;
    }
    sb_add(out, "no scenes found in");
    for (int i = 0; i < n; i++)
        sb_printf(out, "%s %s", i ? "," : "", dirs[i]);
    sb_addc(out, '\n');
    return false;
}
