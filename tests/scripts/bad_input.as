# Every line here is invalid: each must be reported, none may change anything.
alloc -1
alloc 0
alloc 8 align 12
frobnicate
new bump 0
