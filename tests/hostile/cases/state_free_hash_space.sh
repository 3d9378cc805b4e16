# issue 14, state: `free # 1` (a typo) freed the most recent block, "# 1"
# being a comment. It is an error that says what was meant.
# Lives in: src/app/parse.c parse_split / comment_typo.
script setup.as 'new bump 256' 'alloc 8 as a' 'alloc 24 as y'
script bad.as 'new bump 256' 'alloc 8 as a' 'alloc 24 as y' 'free # 1' 'free #'
batch bad.as
expect_rc 1
expect_err "bad.as:4: .*did you mean #1\\?"
expect_err "bad.as:5: .*a block id is written #N"
expect_state_of setup.as
