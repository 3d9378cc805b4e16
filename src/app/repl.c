/* repl.c - the readline prompt (filled in with the live view). */
