/* Lets Wine-style test files keep their #include "wine/test.h". */
#include "../test.h"
