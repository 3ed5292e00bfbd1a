/* bench-top.c - builds bench/top.c here, so that no object lands in bench/ (distributed whole). */
#include "../bench/top.c"
