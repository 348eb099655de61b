/** Re-exported from the suite helpers (one definition shared by the edge, scripts and the feature function). */
export { contentVersion } from "../../suites/manifest";
