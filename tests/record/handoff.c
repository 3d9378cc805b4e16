/*
 * handoff.c - blocks going from thread to thread, for tests/record_test.sh:
 * THREADS threads each make ROUNDS allocations of 16..2015 bytes and put
 * each into a shared pool of POOL slots (under a mutex), freeing the
 * block it replaces there, made by any thread; every 64th round also a
 * malloc and free of its own. So nearly every free is of another thread's
 * block, and glibc hands the addresses out again in any thread: the
 * recorder's order across threads (per-region clocks changing hands, then
 * shared) is what keeps every address freed before it comes back.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define THREADS 4
#define ROUNDS 50000
#define POOL 256

static void *pool[POOL];
static int used;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *work(void *arg)
{
    uint64_t s = 1234567 + (uintptr_t)arg * 7777;
    for (int i = 0; i < ROUNDS; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        void *p = malloc(16 + s % 2000), *old = NULL;
        if (p == NULL)
            exit(1);
        pthread_mutex_lock(&lock);
        if (used < POOL)
            pool[used++] = p;
        else {
            size_t k = (size_t)(s >> 32) % POOL;
            old = pool[k];
            pool[k] = p;
        }
        pthread_mutex_unlock(&lock);
        free(old);
        if (i % 64 == 0)
            free(malloc(100));
    }
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, work, (void *)(uintptr_t)i) != 0)
            return 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < used; i++)
        free(pool[i]);
    return 0;
}
