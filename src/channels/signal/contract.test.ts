import { describeChannelContract } from "../../../test/support/channel-contract.js";
import { signalHarness } from "../../../test/support/contract-signal.js";

describeChannelContract(signalHarness());
