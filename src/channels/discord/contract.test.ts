import { describeChannelContract } from "../../../test/support/channel-contract.js";
import { discordHarness } from "../../../test/support/contract-discord.js";

describeChannelContract(discordHarness());
