import { describeChannelContract } from "../../../test/support/channel-contract.js";
import { blueBubblesHarness } from "../../../test/support/contract-bluebubbles.js";

describeChannelContract(blueBubblesHarness());
