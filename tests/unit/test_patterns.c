/* STUB */
#include <stdlib.h>
#include "sk_test.h"
int main(void) { return 0; }
