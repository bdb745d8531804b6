import { describeChannelContract } from "../../../test/support/channel-contract.js";
import { slackHarness } from "../../../test/support/contract-slack.js";

describeChannelContract(slackHarness());
