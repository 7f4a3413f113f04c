// The one place hand-written code imports the CDKTF runtime from: switching to the cdktn fork (@cdktn/*, `cdktn`)
// is this file's imports plus regenerating the bindings (the generator writes the runtime's name into them).
export {
  App,
  LocalBackend,
  TerraformDataSource,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Testing,
  Token,
} from 'cdktf';
export { Construct } from 'constructs';
