// The provider's version: the mirror directory and the User-Agent carry it.
export const VERSION = '0.1.0';
