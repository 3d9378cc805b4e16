new debug 256
alloc 32 as name
alloc 16 as other
write name 40
free other
write other 4
