import { describeChannelContract } from "../../../test/support/channel-contract.js";
import { telegramHarness } from "../../../test/support/contract-telegram.js";

describeChannelContract(telegramHarness());
