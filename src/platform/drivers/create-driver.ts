import { pathToFileURL } from 'node:url';
import type { BillRunDriver, DriverContext, DriverModule } from '../../billrun/driver.js';
import type { DatabaseEngine } from '../../engine/types.js';
import { UserError } from '../../errors.js';
import type { PlatformAdapter } from '../types.js';
import { DeclaredDriver } from './declared-driver.js';

/**
 * The adapter's bill-run driver behind the one typed interface: declared commands or SQL, or a
 * TypeScript module the adapter ships (the escape hatch). `ssm` is declared for the AWS target,
 * where the steps run on the app host; the local target refuses it.
 */
export async function createDriver(adapter: PlatformAdapter, context: DriverContext, openDatabase: () => Promise<DatabaseEngine>): Promise<BillRunDriver> {
  const spec = adapter.driver;
  switch (spec.kind) {
    case 'module': {
      const module = (await import(pathToFileURL(spec.module ?? '').href)) as Partial<DriverModule>;
      if (typeof module.createDriver !== 'function') throw new UserError(`The driver module ${spec.module} of ${adapter.file} exports no \`createDriver(context)\` function.`);
      return module.createDriver(context);
    }
    case 'commands':
    case 'sql':
      return new DeclaredDriver(spec, context, openDatabase);
    case 'ssm':
      throw new UserError(
        `The platform adapter ${adapter.file} drives its bill run through AWS Systems Manager (\`driver.kind: ssm\`), which runs only on the AWS target's app host. ` +
          'Rehearse it with `target: aws`, or give the adapter a `commands` driver for a local rehearsal.',
      );
  }
}
