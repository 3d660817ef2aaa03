#include <stdio.h>

int main(void)
{
    printf("mdc %s\n", MDC_VERSION);
    return 0;
}
