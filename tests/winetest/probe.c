/* Started first by tools/runtests.sh: tells whether Wine can run programs of
 * this architecture at all. */
#include <stdio.h>

int main(void)
{
    printf("probe ok\n");
    return 0;
}
