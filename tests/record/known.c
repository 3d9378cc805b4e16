/*
 * known.c - a program whose allocation calls are known exactly, for
 * tests/record_test.sh: every call is made from a function named known_*
 * (linked -rdynamic, so the recording's callers name them), and the test
 * compares the recorded sequence with the one below. Prints the pid of its
 * fork child. Exits non-zero if the recorder changed errno.
 *
 * The main thread (known_main), in this order:
 *   a=malloc(100) b=calloc(10,8) calloc(SIZE_MAX/2,4)->NULL realloc(a,200)
 *   realloc(that,0) (glibc frees) posix_memalign(&e,64,1000)
 *   posix_memalign(&x,3,10)->EINVAL memalign(256,50) aligned_alloc(128,256)
 *   reallocarray(NULL,10,12) reallocarray(h,20,12)
 *   reallocarray(h,SIZE_MAX/4,8)->NULL valloc(100) pvalloc(100) free(NULL)
 *   free b,e,f,g,h,v,pv  z=malloc(0) free(z)
 * then 2 threads (known_thread): 100 x { malloc(24+i); free } each,
 * then known_fill fills a ring of RING slots (malloc(8) each) and
 * WORKERS threads (known_worker, w = 0..3) each make ROUNDS rounds:
 *   q = malloc(24 + w + 4 * (i % 50)); swap q into a slot of the ring
 *   (picked at random: under a mutex) for the block there, made by any
 *   thread; every 4th round realloc that block to its size + 300; free it
 * so that each thread's calls are known in order while the blocks, and
 * glibc's addresses, go from thread to thread (an address one thread
 * frees comes back from another's malloc); known_drain frees the ring;
 * then a fork child (known_child): malloc(77) free malloc(88) _exit(0).
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void *known_thread(void *arg);
void *known_worker(void *arg);
void known_main(void);
void known_fill(void);
void known_drain(void);
void known_child(void);

#define WORKERS 4
#define ROUNDS 20000
#define RING 64
static void *ring[RING];
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start; /* the workers begin together, so their calls interleave */

static int bad;
static volatile size_t huge = SIZE_MAX / 2; /* volatile: no compile-time overflow warning */

static void check_errno(int want, const char *what)
{
    if (errno != want) {
        fprintf(stderr, "known: errno %d after %s, expected %d\n", errno, what, want);
        bad = 1;
    }
}

void *known_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        char *p = malloc(24 + (size_t)i);
        if (p == NULL)
            return NULL;
        p[0] = 1;
        free(p);
    }
    return NULL;
}

void *known_worker(void *arg)
{
    size_t w = (size_t)(uintptr_t)arg;
    uint64_t seed = 88172645463325252u + w;
    pthread_barrier_wait(&start);
    for (int i = 0; i < ROUNDS; i++) {
        size_t size = 24 + w + 4 * (size_t)(i % 50);
        char *q = malloc(size);
        if (q == NULL)
            return NULL;
        q[0] = 1;
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        pthread_mutex_lock(&ring_lock);
        void *old = ring[seed % RING];
        ring[seed % RING] = q;
        pthread_mutex_unlock(&ring_lock);
        if (i % 4 == 3) {
            void *moved = realloc(old, size + 300);
            if (moved == NULL)
                return NULL;
            old = moved;
        }
        free(old);
    }
    return NULL;
}

void known_fill(void)
{
    for (int k = 0; k < RING; k++)
        ring[k] = malloc(8);
}

void known_drain(void)
{
    for (int k = 0; k < RING; k++)
        free(ring[k]);
}

void known_main(void)
{
    errno = 1234;
    char *a = malloc(100);
    check_errno(1234, "malloc"); /* the recorder keeps errno */
    char *b = calloc(10, 8);
    errno = 0;
    void *o = calloc(huge, 4);
    if (o != NULL)
        bad = 1;
    check_errno(ENOMEM, "calloc overflow");
    char *d = realloc(a, 200);
    if (realloc(d, 0) != NULL) /* glibc frees d and returns NULL */
        bad = 1;
    void *e = NULL, *x = NULL;
    if (posix_memalign(&e, 64, 1000) != 0 || ((uintptr_t)e & 63) != 0)
        bad = 1;
    if (posix_memalign(&x, 3, 10) != EINVAL)
        bad = 1;
    void *f = memalign(256, 50);
    void *g = aligned_alloc(128, 256);
    char *h = reallocarray(NULL, 10, 12);
    h = reallocarray(h, 20, 12);
    char *h2 = reallocarray(h, huge / 2, 8);
    if (h2 != NULL)
        bad = 1, h = h2;
    void *v = valloc(100);
    void *pv = pvalloc(100);
    free(NULL);
    free(b);
    free(e);
    free(f);
    free(g);
    free(h);
    free(v);
    free(pv);
    void *z = malloc(0);
    free(z);
}

void known_child(void)
{
    void *p = malloc(77);
    free(p);
    void *q = malloc(88);
    (void)q;
    _exit(0); /* the recorder flushes at _exit too */
}

int main(void)
{
    known_main();
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, known_thread, NULL) != 0)
            return 2;
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    known_fill();
    pthread_barrier_init(&start, NULL, WORKERS);
    pthread_t w[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        if (pthread_create(&w[i], NULL, known_worker, (void *)(uintptr_t)i) != 0)
            return 2;
    for (int i = 0; i < WORKERS; i++)
        pthread_join(w[i], NULL);
    known_drain();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        known_child();
    int st = 0;
    waitpid(pid, &st, 0);
    printf("child %d\n", (int)pid);
    return bad ? 3 : !WIFEXITED(st) || WEXITSTATUS(st) != 0 ? 4 : 0;
}
