// @oclif/test captures process.stdout; jest's decorated console would otherwise leak into it.
import {Console} from 'node:console'

globalThis.console = new Console({stdout: process.stdout, stderr: process.stderr})
